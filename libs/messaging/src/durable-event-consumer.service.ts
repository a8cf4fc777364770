import { AckPolicy, ConsumerMessages, DeliverPolicy, jetstream, JetStreamApiCodes, JetStreamApiError, jetstreamManager, JetStreamManager, JsMsg } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/nats-core';
import { AnyEvent, decodeEvent, EVENT_REGISTRY, StreamEvent, StreamKey, streamNameFor, streamSubjectsFor } from '@minoots/contracts';

export interface ConsumedEvent<E extends AnyEvent = AnyEvent> {
  event: E;
  /** Stream sequence: a total order of the stream, used for read-your-writes watermarks. */
  seq: number;
  redelivered: boolean;
}

export interface ConsumerLogger {
  error(message: string): void;
  warn(message: string): void;
}

/**
 * What `handle` may resolve with when a batch's effects become durable only after it returns: the
 * next batch is handled meanwhile, and acknowledgements still follow stream order.
 */
export interface DeferredDurability {
  durable: Promise<void>;
}

/**
 * One run of a consumer, from start() to stop(): every event of the stream from `firstSeq` on
 * reaches `handle` during the term, in stream order, and none before it does. A consumer that keeps
 * state in memory can trust it for what happened from `firstSeq` on, and must start afresh with a
 * new term (another replica may have led in between).
 */
export interface ConsumerTerm {
  readonly firstSeq: number;
}

export interface DurableEventConsumerOptions<S extends StreamKey = StreamKey> {
  namespace: string;
  stream: S;
  durable: string;
  /**
   * Called with events in stream order, one batch at a time; resolves once their effects are
   * durable, or with a `DeferredDurability` whose promise does.
   */
  handle(batch: ConsumedEvent<StreamEvent<S>>[], term: ConsumerTerm): Promise<void | DeferredDurability>;
  logger: ConsumerLogger;
  maxBatch?: number;
  retryDelayMs?: number;
  /**
   * Least time between the starts of two batches. 0 (the default) hands over each batch the moment
   * the previous one is done, for the lowest latency; a few milliseconds make batches larger under
   * load (fewer transactions and acks per event) while an idle consumer still reacts at once.
   */
  minBatchIntervalMs?: number;
  /**
   * How long acknowledgements gather before they are sent (default 25 ms). With ack policy "all"
   * one message acknowledges everything before it, so a burst of batches costs one write to NATS
   * instead of one per batch; the events are durable already, only redelivery after a crash in
   * that window is at stake, and consumers are idempotent.
   */
  ackDelayMs?: number;
  /** The subjects to receive, when not the whole stream's (e.g. `timerLifecycleSubjectsFor`). */
  filterSubject?: string;
}

/**
 * The durable's configuration, from the stream's first message; `startSeq` begins it later (a
 * projection rebuilt up to there by other means).
 */
export function durableConsumerConfig(options: Pick<DurableEventConsumerOptions, 'namespace' | 'stream' | 'durable' | 'filterSubject'>, startSeq?: number) {
  return {
    durable_name: options.durable,
    // Batches are applied in stream order, so acknowledging a batch's last message is enough.
    ack_policy: AckPolicy.All,
    ...(startSeq && startSeq > 1 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq } : { deliver_policy: DeliverPolicy.All }),
    // Updated in place on start, so a durable made with another filter takes this one.
    filter_subject: options.filterSubject ?? streamSubjectsFor(options.namespace, options.stream),
    ack_wait: 30_000_000_000,
    max_ack_pending: 20_000,
  };
}

/**
 * A durable JetStream pull consumer that hands events to `handle` in micro-batches: whatever has
 * arrived while the previous batch was being applied. One message in, one batch out when idle
 * (lowest latency); hundreds per batch under load (fewest round trips to Postgres).
 * Acks follow a successful `handle` (or the durability it promises), in stream order; a failed
 * batch is retried in place, with backoff.
 */
export class DurableEventConsumer<S extends StreamKey = StreamKey> {
  private messages?: ConsumerMessages;
  private buffer: { msg: JsMsg; event: StreamEvent<S> }[] = [];
  private draining: Promise<void> = Promise.resolve();
  private drainScheduled = false;
  private lastDrainAt = Number.NEGATIVE_INFINITY;
  private loop?: Promise<void>;
  private stopped = false;
  private jsm?: JetStreamManager;
  private seenUpTo = 0;
  private term: ConsumerTerm = { firstSeq: Number.POSITIVE_INFINITY };
  /**
   * Handled batches in stream order, by their last message, acknowledged from the front as their
   * effects become durable (ack policy "all": acknowledging a message acknowledges all before it).
   */
  private unacked: { last: JsMsg; durable: boolean }[] = [];
  private settling = new Set<Promise<void>>();
  /** Acknowledgements wait this long to go out together: each is a socket write to NATS. */
  private readonly ackDelayMs: number;
  private ackTimer?: NodeJS.Timeout;
  private toAck?: JsMsg;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: DurableEventConsumerOptions<S>,
  ) {
    this.ackDelayMs = options.ackDelayMs ?? 25;
  }

  get streamName(): string {
    return streamNameFor(this.options.namespace, this.options.stream);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.unacked = [];
    this.toAck = undefined;
    this.jsm = await jetstreamManager(this.nc);
    const config = durableConsumerConfig(this.options);
    // Only "no such consumer" means there is none: taking a timeout for it would start the term at
    // the stream's beginning, vouching for what earlier terms saw.
    const existing = await this.jsm.consumers.info(this.streamName, this.options.durable).catch((error: unknown) => {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound) return undefined;
      throw error;
    });
    // What a previous instance may have seen: comes again flagged as redelivered.
    this.seenUpTo = existing?.delivered.stream_seq ?? 0;
    // What this term will be handed starts where the durable stands, and never before what the
    // stream still holds (an operator may have purged it).
    let firstSeq = (await this.jsm.streams.info(this.streamName)).state.first_seq;
    if (!existing) {
      await this.jsm.consumers.add(this.streamName, config);
    } else if (existing.num_ack_pending === 0 && existing.config.ack_policy === AckPolicy.All) {
      // Neither the acknowledgement nor the delivery policy can change in place.
      const { ack_policy: _ack, deliver_policy: _deliver, ...updatable } = config;
      await this.jsm.consumers.update(this.streamName, this.options.durable, updatable);
      firstSeq = Math.max(firstSeq, existing.delivered.stream_seq + 1, existing.ack_floor.stream_seq + 1);
    } else {
      // Events a previous leader (or this process before a restart) took but never acknowledged:
      // JetStream would hand them out again only after ack_wait, and acknowledging anything newer
      // meanwhile would acknowledge them too, unhandled. Re-created at its acknowledgement floor,
      // the durable delivers them again first, in stream order. (A durable made with another
      // acknowledgement policy is re-created the same way.)
      await this.jsm.consumers.delete(this.streamName, this.options.durable);
      await this.jsm.consumers.add(this.streamName, {
        ...config,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: existing.ack_floor.stream_seq + 1,
      });
      firstSeq = Math.max(firstSeq, existing.ack_floor.stream_seq + 1);
    }
    this.term = { firstSeq };
    const consumer = await jetstream(this.nc).consumers.get(this.streamName, this.options.durable);
    this.messages = await consumer.consume({ max_messages: this.options.maxBatch ?? 512 });
    this.loop = this.run(this.messages);
  }

  /** The highest stream sequence below which every message of this consumer is acknowledged. */
  async ackFloor(): Promise<number> {
    // Also asked on replicas that do not consume (another one leads), so no start() is assumed.
    this.jsm ??= await jetstreamManager(this.nc);
    const info = await this.jsm.consumers.info(this.streamName, this.options.durable);
    return info.ack_floor.stream_seq;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.messages?.close();
    await this.loop;
    await this.draining;
    await Promise.allSettled([...this.settling]);
    this.sendAcks();
    // Out on the wire before the caller closes the connection, or a clean restart would be handed
    // the last batch again (harmless, consumers are idempotent, but needless). Bounded: while NATS
    // is unreachable a flush waits for the reconnection, and shutdown must not.
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([this.nc.flush().catch(() => undefined), new Promise((resolve) => (bound = setTimeout(resolve, 1_000)))]);
    clearTimeout(bound);
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      if (this.stopped) {
        msg.nak();
        continue;
      }
      let event: StreamEvent<S>;
      try {
        const decoded = decodeEvent(msg.data);
        if (EVENT_REGISTRY[decoded.type].stream !== this.options.stream) {
          throw new Error(`${decoded.type} does not belong on the ${this.options.stream} stream`);
        }
        event = decoded as StreamEvent<S>;
      } catch (error) {
        // A malformed message can never succeed: terminate it rather than redeliver forever.
        this.options.logger.error(`terminating malformed message seq=${msg.seq} on ${msg.subject}: ${(error as Error).message}`);
        msg.term();
        continue;
      }
      this.buffer.push({ msg, event });
      if (!this.drainScheduled) {
        this.drainScheduled = true;
        this.draining = this.draining.then(() => this.pace()).then(() => this.drain());
      }
    }
  }

  private async pace(): Promise<void> {
    const wait = this.lastDrainAt + (this.options.minBatchIntervalMs ?? 0) - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  private async drain(): Promise<void> {
    this.drainScheduled = false;
    this.lastDrainAt = Date.now();
    const batch = this.buffer;
    this.buffer = [];
    if (batch.length === 0) return;
    const events = batch.map(({ msg, event }) => ({ event, seq: msg.seq, redelivered: msg.redelivered || msg.seq <= this.seenUpTo }));
    // Order matters (and with ack policy "all", acking a later batch would acknowledge a failed
    // earlier one): a failed batch is retried here, holding back what follows, until it applies.
    let result: void | DeferredDurability;
    for (let attempt = 1; ; attempt++) {
      try {
        result = await this.options.handle(events, this.term);
        break;
      } catch (error) {
        if (this.stopped) {
          for (const { msg } of batch) msg.nak();
          return;
        }
        const delay = Math.min((this.options.retryDelayMs ?? 250) * 2 ** Math.min(attempt - 1, 5), 5_000);
        this.options.logger.warn(`${this.options.durable}: batch of ${batch.length} failed (attempt ${attempt}), retrying in ${delay} ms: ${(error as Error).message}`);
        for (const { msg } of batch) msg.working();
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    const entry = { last: batch[batch.length - 1].msg, durable: !result };
    this.unacked.push(entry);
    if (result) {
      const settled = result.durable.then(
        () => {
          entry.durable = true;
        },
        (error) => {
          // Only when shutting down. Left unacknowledged (and so is everything after it), so
          // JetStream redelivers it to whichever replica consumes next.
          this.options.logger.error(`${this.options.durable}: batch of ${batch.length} did not become durable: ${(error as Error).message}`);
        },
      );
      const tracked = settled.finally(() => {
        this.settling.delete(tracked);
        this.ackReady();
      });
      this.settling.add(tracked);
    } else this.ackReady();
  }

  private ackReady(): void {
    while (this.unacked.length > 0 && this.unacked[0].durable) this.toAck = this.unacked.shift()!.last;
    if (this.toAck && !this.ackTimer) this.ackTimer = setTimeout(() => this.sendAcks(), this.ackDelayMs);
  }

  private sendAcks(): void {
    clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    this.toAck?.ack();
    this.toAck = undefined;
  }
}
