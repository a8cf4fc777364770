import { jetstreamManager, JetStreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/nats-core';
import {
  AnyEvent,
  encodeEvent,
  EVENT_REGISTRY,
  STREAMS,
  StreamKey,
  streamNameFor,
  streamSubjectsFor,
  subjectFor,
} from '@minoots/contracts';
import { JetStreamAcks } from './jetstream-acks.util';

export interface PublishResult {
  seq: number;
  duplicate: boolean;
}

/** Dedup window for `Nats-Msg-Id`: a crash-and-retry re-publish within it is dropped by JetStream. */
const DUPLICATE_WINDOW_NS = 10 * 60 * 1_000_000_000;
const NS_PER_DAY = 24 * 60 * 60 * 1_000_000_000;

export async function ensureStreams(jsm: JetStreamManager, namespace: string): Promise<void> {
  for (const key of Object.keys(STREAMS) as StreamKey[]) {
    const name = streamNameFor(namespace, key);
    const config = {
      name,
      subjects: [streamSubjectsFor(namespace, key)],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      duplicate_window: DUPLICATE_WINDOW_NS,
      // 0 is JetStream's "no limit". Set on every start, so a stream made before a limit existed gets it.
      max_age: (STREAMS[key].maxAgeDays ?? 0) * NS_PER_DAY,
    };
    try {
      await jsm.streams.info(name);
      await jsm.streams.update(name, config);
    } catch (error) {
      if (!/stream not found/i.test(String((error as Error).message))) throw error;
      await jsm.streams.add(config);
    }
  }
}

/** Publishes validated events with their id as `Nats-Msg-Id`, so a retried publish is a no-op. */
export class EventPublisher {
  private constructor(
    private readonly acks: JetStreamAcks,
    readonly jsm: JetStreamManager,
    readonly namespace: string,
  ) {}

  static async create(nc: NatsConnection, namespace: string): Promise<EventPublisher> {
    const jsm = await jetstreamManager(nc);
    await ensureStreams(jsm, namespace);
    return new EventPublisher(new JetStreamAcks(nc), jsm, namespace);
  }

  async publish(event: AnyEvent): Promise<PublishResult> {
    const ack = await this.acks.publish(
      subjectFor(this.namespace, event.type),
      encodeEvent(event),
      event.id,
      streamNameFor(this.namespace, EVENT_REGISTRY[event.type].stream),
    );
    return { seq: ack.seq, duplicate: ack.duplicate };
  }

  /**
   * Publishes without waiting for JetStream to confirm it stored the event: for notifications
   * whose loss costs no record (delivery outcomes: the delivery tables are the record). At a
   * thousand deliveries a second, reading the confirmations was a twentieth of the dispatcher.
   */
  publishUnconfirmed(event: AnyEvent): void {
    this.acks.publishUnconfirmed(subjectFor(this.namespace, event.type), encodeEvent(event), event.id);
  }

  close(): void {
    this.acks.close();
  }
}
