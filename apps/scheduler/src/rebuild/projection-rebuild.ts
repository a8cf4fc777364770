import { DeliverPolicy, jetstream, JetStreamApiCodes, JetStreamApiError, jetstreamManager } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/nats-core';
import { decodeEvent, EVENT_REGISTRY, streamNameFor, TimerEvent } from '@minoots/contracts';
import { AdvisoryLeadership } from '@minoots/database';
import { ConsumedEvent, durableConsumerConfig, ensureStreams } from '@minoots/messaging';
import { TimerProjection } from '../timers/timer-projection.service';
import { PROJECTION_DURABLE } from '../timers/timer-stream.consumer';
import { TimersRepository } from '../timers/timers.repository';

const BATCH = 1_000;

export interface RebuildLogger {
  log(message: string): void;
}

export interface RebuildResult {
  /** Events read from the stream and applied. */
  events: number;
  /** The stream's last sequence when the rebuild began: the projection resumes after it. */
  lastSeq: number;
}

export class ProjectionBusyError extends Error {}

/**
 * Drops the scheduler's projection and replays the timer stream into it: the timers, their
 * terminals, and every firing the stream holds as fired triggers, so nothing fires twice. Then the
 * projection's durable consumer is made to resume right after what was replayed.
 *
 * Every scheduler replica must be stopped: the rebuild holds the projection's leadership lock (a
 * leading replica makes it refuse) and refuses while a replica holds leases on triggers.
 */
export class ProjectionRebuild {
  constructor(
    private readonly nc: NatsConnection,
    private readonly timers: TimersRepository,
    private readonly options: { databaseUrl: string; namespace: string; logger: RebuildLogger; lockWaitMs?: number },
  ) {}

  async run(): Promise<RebuildResult> {
    const leadership = await this.takeLeadership();
    try {
      const leases = await this.timers.countLiveLeases();
      if (leases > 0) throw new ProjectionBusyError(`a scheduler replica holds ${leases} trigger lease(s): stop every replica first`);
      return await this.replay();
    } finally {
      await leadership.stop();
    }
  }

  private async takeLeadership(): Promise<AdvisoryLeadership> {
    let elected!: () => void;
    const won = new Promise<void>((resolve) => (elected = resolve));
    const leadership = new AdvisoryLeadership({
      url: this.options.databaseUrl,
      lockName: `${this.options.namespace}.${PROJECTION_DURABLE}`,
      logger: { log: () => undefined, warn: (message) => this.options.logger.log(message) },
      onElected: async () => elected(),
      onDeposed: async () => undefined,
    });
    await leadership.start();
    const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), this.options.lockWaitMs ?? 2_000).unref());
    if ((await Promise.race([won.then(() => true), timeout])) !== true) {
      await leadership.stop();
      throw new ProjectionBusyError('a scheduler replica is projecting the timer stream: stop every replica first');
    }
    return leadership;
  }

  private async replay(): Promise<RebuildResult> {
    const { logger, namespace } = this.options;
    const stream = streamNameFor(namespace, 'timers');
    const jsm = await jetstreamManager(this.nc);
    // As every service does on start: a rebuild before the first start finds them too.
    await ensureStreams(jsm, namespace);
    const { state } = await jsm.streams.info(stream);
    const lastSeq = state.last_seq;
    await this.timers.truncate();
    logger.log(`replaying ${state.messages} event(s) of ${stream} (up to sequence ${lastSeq}) into an empty projection`);
    const projection = new TimerProjection(this.timers);
    let events = 0;
    if (state.messages > 0) {
      const consumer = await jetstream(this.nc).consumers.get(stream, { deliver_policy: DeliverPolicy.All });
      const messages = await consumer.consume({ max_messages: BATCH });
      let batch: ConsumedEvent<TimerEvent>[] = [];
      let reported = Date.now();
      for await (const msg of messages) {
        const event = this.decode(msg.data, msg.seq);
        if (event) batch.push({ event, seq: msg.seq, redelivered: true });
        const done = msg.seq >= lastSeq;
        if (batch.length >= BATCH || ((done || msg.info.pending === 0) && batch.length > 0)) {
          await projection.apply(batch, { recordFirings: true });
          events += batch.length;
          batch = [];
          if (Date.now() - reported >= 5_000) {
            logger.log(`replayed ${events} of ${state.messages} event(s)`);
            reported = Date.now();
          }
        }
        if (done) break;
      }
      await messages.close();
    }
    // Moved only now: should the replay fail, a scheduler started anyway resumes where it stood (with
    // the projection incomplete until a rebuild succeeds) instead of replaying the stream live.
    await jsm.consumers.delete(stream, PROJECTION_DURABLE).catch((error: unknown) => {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
    });
    await jsm.consumers.add(stream, durableConsumerConfig({ namespace, stream: 'timers', durable: PROJECTION_DURABLE }, lastSeq + 1));
    logger.log(`replayed ${events} event(s); the projection resumes at sequence ${lastSeq + 1}`);
    return { events, lastSeq };
  }

  /** As the live consumer does, a malformed message is left out (it terminated it when it came). */
  private decode(data: Uint8Array, seq: number): TimerEvent | undefined {
    try {
      const event = decodeEvent(data);
      if (EVENT_REGISTRY[event.type].stream !== 'timers') throw new Error(`${event.type} does not belong on the timers stream`);
      return event as TimerEvent;
    } catch (error) {
      this.options.logger.log(`skipping malformed message seq=${seq}: ${(error as Error).message}`);
      return undefined;
    }
  }
}
