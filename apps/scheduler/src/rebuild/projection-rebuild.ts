import { DeliverPolicy, jetstream, JetStreamApiCodes, JetStreamApiError, jetstreamManager, JsMsg } from '@nats-io/jetstream';
import { NatsConnection } from '@nats-io/nats-core';
import { decodeEvent, EVENT_REGISTRY, streamNameFor, TimerEvent } from '@minoots/contracts';
import { AdvisoryLeadership } from '@minoots/database';
import { ConsumedEvent, durableConsumerConfig, ensureStreams } from '@minoots/messaging';
import { SchedulerDatabase } from '../database/scheduler-database.type';
import { TimerProjection } from '../timers/timer-projection.service';
import { PROJECTION_DURABLE, projectionDurable } from '../timers/timer-stream.consumer';
import { TimersRepository } from '../timers/timers.repository';

export interface RebuildLogger {
  log(message: string): void;
}

export interface RebuildOptions {
  databaseUrl: string;
  namespace: string;
  logger: RebuildLogger;
  /** How long to try for the projection's lock before concluding a replica holds it. */
  lockWaitMs?: number;
  /** Events per batch of the replay. */
  batchSize?: number;
  /** Rebuild even though the stream no longer starts at its first event (timers created before are lost). */
  allowPurged?: boolean;
}

export interface RebuildResult {
  /** Events read from the stream and applied. */
  events: number;
  /** Malformed messages left out (as the live consumer left them out). */
  skipped: number;
  /** The last sequence replayed: the projection resumes after it. */
  lastSeq: number;
}

/** The rebuild did not start, and changed nothing. */
export class ProjectionRebuildRefused extends Error {}

/**
 * Drops the scheduler's projection and replays the timer stream into it: the timers, their
 * terminals, and every firing the stream holds as a fired trigger, so nothing fires twice. It reads
 * the whole stream, firings included: live, the replica that fires a trigger records it, and the
 * projection's durable receives creations and cancellations only. The terminal that came first in
 * the stream wins either way. The durable then resumes right after what was replayed.
 *
 * All of it is one transaction: a failure leaves the old tables as they were, and a replica started
 * meanwhile waits on the tables' lock instead of firing from a half-replayed projection. It holds the
 * projection's leadership lock throughout (and stops if it loses it), and refuses to start while a
 * replica leads or holds trigger leases: every replica must be stopped.
 */
export class ProjectionRebuild {
  constructor(
    private readonly nc: NatsConnection,
    private readonly db: SchedulerDatabase,
    private readonly options: RebuildOptions,
  ) {}

  async run(): Promise<RebuildResult> {
    let lost = false;
    const leadership = await this.takeLeadership(() => (lost = true));
    try {
      const leases = await new TimersRepository(this.db).liveLeases();
      if (leases.count > 0) {
        throw new ProjectionRebuildRefused(
          `${leases.count} trigger lease(s) held until ${leases.until?.toISOString()}: stop every replica first (a stopped replica's leases run out by then)`,
        );
      }
      return await this.replay(() => {
        if (lost) throw new Error('lost the projection lock during the rebuild (database connection?): nothing was changed');
      });
    } finally {
      await leadership.stop();
    }
  }

  private async takeLeadership(onLost: () => void): Promise<AdvisoryLeadership> {
    let elected!: () => void;
    const won = new Promise<true>((resolve) => (elected = () => resolve(true)));
    const leadership = new AdvisoryLeadership({
      url: this.options.databaseUrl,
      lockName: `${this.options.namespace}.${PROJECTION_DURABLE}`,
      logger: { log: () => undefined, warn: (message) => this.options.logger.log(message) },
      onElected: async () => elected(),
      onDeposed: async () => onLost(),
    });
    await leadership.start();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), this.options.lockWaitMs ?? 2_000)));
    const isElected = await Promise.race([won, timeout]);
    clearTimeout(timer);
    if (!isElected) {
      await leadership.stop();
      throw new ProjectionRebuildRefused('a scheduler replica is projecting the timer stream: stop every replica first');
    }
    return leadership;
  }

  private async replay(checkLock: () => void): Promise<RebuildResult> {
    const { logger, namespace } = this.options;
    const stream = streamNameFor(namespace, 'timers');
    const jsm = await jetstreamManager(this.nc);
    // As every service does on start: a rebuild before the first start finds them too.
    await ensureStreams(jsm, namespace);
    const { state } = await jsm.streams.info(stream);
    if (state.first_seq > 1 && state.messages > 0 && !this.options.allowPurged) {
      throw new ProjectionRebuildRefused(
        `${stream} starts at sequence ${state.first_seq}: events before it were purged, and timers created then would be lost (--allow-purged rebuilds anyway)`,
      );
    }
    logger.log(`replaying ${state.messages} event(s) of ${stream} (up to sequence ${state.last_seq}) into an empty projection`);
    const result = await this.db.transaction().execute(async (trx) => {
      const timers = new TimersRepository(trx);
      await timers.truncate();
      return this.applyStream(stream, state.messages, state.last_seq, new TimerProjection(timers), checkLock);
    });
    // Moved only once the projection is in: should anything before fail, a scheduler resumes where it stood.
    await jsm.consumers.delete(stream, PROJECTION_DURABLE).catch((error: unknown) => {
      if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
    });
    await jsm.consumers.add(stream, durableConsumerConfig(projectionDurable(namespace), result.lastSeq + 1));
    const skipped = result.skipped > 0 ? `, left out ${result.skipped} malformed message(s)` : '';
    logger.log(`replayed ${result.events} event(s)${skipped}; the projection resumes at sequence ${result.lastSeq + 1}`);
    return result;
  }

  /** Reads the stream up to `lastSeq` (or its end, should that message be gone) into the projection. */
  private async applyStream(stream: string, total: number, lastSeq: number, projection: TimerProjection, checkLock: () => void): Promise<RebuildResult> {
    const result: RebuildResult = { events: 0, skipped: 0, lastSeq };
    if (total === 0) return result;
    const batchSize = this.options.batchSize ?? 1_000;
    const consumer = await jetstream(this.nc).consumers.get(stream, { deliver_policy: DeliverPolicy.All });
    const messages = await consumer.consume({ max_messages: batchSize });
    let batch: ConsumedEvent<TimerEvent>[] = [];
    let reported = Date.now();
    let reachedEnd = false;
    try {
      for await (const msg of messages) {
        const event = this.decode(msg);
        if (event) batch.push({ event, seq: msg.seq, redelivered: true });
        else result.skipped++;
        result.lastSeq = Math.max(lastSeq, msg.seq);
        // Nothing after it (the message at lastSeq may have been deleted), or what came after the start.
        reachedEnd = msg.seq >= lastSeq || msg.info.pending === 0;
        if (batch.length >= batchSize || (reachedEnd && batch.length > 0)) {
          checkLock();
          await projection.apply(batch, { recordFirings: true });
          result.events += batch.length;
          batch = [];
          if (Date.now() - reported >= 5_000) {
            this.options.logger.log(`replayed ${result.events} of ${total} event(s)`);
            reported = Date.now();
          }
        }
        if (reachedEnd) break;
      }
    } finally {
      await messages.close();
    }
    if (!reachedEnd) throw new Error(`the stream ended before sequence ${lastSeq}: nothing was changed`);
    return result;
  }

  /** As the live consumer does, a malformed message is left out (it terminated it when it came). */
  private decode(msg: JsMsg): TimerEvent | undefined {
    try {
      const event = decodeEvent(msg.data);
      if (EVENT_REGISTRY[event.type].stream !== 'timers') throw new Error(`${event.type} does not belong on the timers stream`);
      return event as TimerEvent;
    } catch (error) {
      this.options.logger.log(`leaving out malformed message seq=${msg.seq}: ${(error as Error).message}`);
      return undefined;
    }
  }
}
