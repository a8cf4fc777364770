import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NatsConnection, Subscription } from '@nats-io/nats-core';
import { createEvent, decodeEvent, isTimerFiring, streamNameFor, subjectFor } from '@minoots/contracts';
import { GroupCommit } from '@minoots/database';
import { EventPublisher, NATS_CONNECTION } from '@minoots/messaging';
import { SCHEDULER_CONFIG, SchedulerConfig } from '../config/scheduler.config';
import { SchedulerMetrics } from '../metrics/scheduler-metrics.service';
import { FiringLoop, PublishedFiring } from './firing-loop';
import { ClaimedTrigger, FiringRecord, TriggersRepository } from './triggers.repository';

/** Retries of a failed record of fired triggers, together well within the lease (`SCHEDULER_LEASE_MS`). */
const MARK_ATTEMPTS = 6;

export function triggerEvent(trigger: ClaimedTrigger, firedAt: Date) {
  const common = { id: trigger.eventId, tenantId: trigger.tenantId, aggregateId: trigger.timerId };
  const dueAt = trigger.dueAt.toISOString();
  return trigger.kind === 'expire'
    ? createEvent('timer.expired', { ...common, data: { dueAt, firedAt: firedAt.toISOString(), timer: trigger.timer, createdSeq: trigger.createdSeq } })
    : createEvent('timer.progress', {
        ...common,
        data: { milestone: trigger.label, percent: trigger.percent ?? 0, dueAt, firedAt: firedAt.toISOString(), timer: trigger.timer, createdSeq: trigger.createdSeq },
      });
}

/** Runs the firing loop for this replica: claims, fires at the due millisecond, records. */
@Injectable()
export class TimerFiringService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TimerFiringService.name);
  readonly loop: FiringLoop;
  private cancellations?: Subscription;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    triggers: TriggersRepository,
    private readonly publisher: EventPublisher,
    metrics: SchedulerMetrics,
  ) {
    const owner = config.instanceId;
    // After a restart under the same instance id, take back at once what this instance had leased
    // (nothing of it is held any more); later claims leave its own leases alone, or every poll would
    // rewrite and re-read every trigger it already holds.
    let reclaimOwn = true;
    // The mark keeps fired triggers from being claimed again (the lease and the loop's memory do
    // meanwhile) and ends expired timers, at their events' stream sequences: the projection does
    // not receive firings. One statement per 50 ms instead of one per firing millisecond; a read
    // in between still finds the timer pending, as it would before the projection applied it.
    const marks = new GroupCommit<FiringRecord>((fired) => triggers.markFired(fired), {
      windowMs: 50,
      maxItems: 5_000,
      // The only record of an expiry: retried for ~6 s (0.1, 0.2 … 3.2 s); after that the lease runs
      // out, and whoever claims the trigger next publishes it again and records what comes back.
      retryDelayMs: (attempt, error) => {
        if (attempt > MARK_ATTEMPTS) return undefined;
        const delay = 100 * 2 ** (attempt - 1);
        this.logger.warn(`recording fired triggers failed (attempt ${attempt}), retrying in ${delay} ms: ${(error as Error).message}`);
        return delay;
      },
    });
    this.loop = new FiringLoop(
      {
        claimDue: async (horizon, limit) => {
          const claimed = await triggers.claimDue(owner, horizon, config.SCHEDULER_LEASE_MS, limit, reclaimOwn);
          if (claimed.length < limit) reclaimOwn = false;
          return claimed;
        },
        publish: async (fired, firedAt) => {
          // Issued together: JetStream acknowledges in order per connection, so the round trips pipeline.
          const acks = await Promise.allSettled(fired.map((t) => publisher.publish(triggerEvent(t, firedAt))));
          const outcomes: (PublishedFiring | Error)[] = [];
          for (const ack of acks) {
            if (ack.status === 'rejected') outcomes.push(ack.reason instanceof Error ? ack.reason : new Error(String(ack.reason)));
            // Only after a crash, one by one: a re-fire of what the previous holder had published.
            else outcomes.push({ seq: ack.value.seq, firedAt: ack.value.duplicate ? await this.publishedFiredAt(ack.value.seq, firedAt) : firedAt });
          }
          return outcomes;
        },
        markFired: (fired, published) => marks.add(fired.map((trigger, i) => ({ trigger, ...published[i] }))),
        cancelHeld: (held) => triggers.cancelHeld(owner, held),
        releaseLeases: (keep) => triggers.releaseLeases(owner, keep),
        logger: this.logger,
        onFired: (fired, firedAt) => metrics.recordFired(fired, firedAt),
        onPublishFailed: (failed) => metrics.recordPublishFailed(failed),
      },
      {
        lookaheadMs: config.SCHEDULER_LOOKAHEAD_MS,
        pollIntervalMs: config.SCHEDULER_POLL_INTERVAL_MS,
        claimBatch: config.SCHEDULER_CLAIM_BATCH,
      },
    );
    metrics.observeHeld(() => this.loop.heldCount);
  }

  /**
   * A re-fire after a crash came back deduplicated: what was published first is the record, so the
   * timer ends at the time its event says, as a rebuild from the stream would end it.
   */
  private async publishedFiredAt(seq: number, fallback: Date): Promise<Date> {
    try {
      const stored = await this.publisher.jsm.streams.getMessage(streamNameFor(this.config.namespace, 'timers'), { seq });
      const event = stored ? decodeEvent(stored.data) : undefined;
      return event && isTimerFiring(event) ? new Date(event.data.firedAt) : fallback;
    } catch (error) {
      this.logger.warn(`reading the first firing at seq=${seq} failed, recording this one's time: ${(error as Error).message}`);
      return fallback;
    }
  }

  onApplicationBootstrap(): void {
    // Only the leader replica projects cancellations (and forgets them in its loop); any replica
    // may hold the timer's triggers. A plain subscription hears each `timer.cancelled` as it is
    // published, on every replica, without a consumer of its own.
    this.cancellations = this.nc.subscribe(subjectFor(this.config.namespace, 'timer.cancelled'), {
      callback: (error, msg) => {
        if (error) return;
        try {
          this.loop.forget(decodeEvent(msg.data).aggregateId);
        } catch (decodeError) {
          this.logger.warn(`ignoring an undecodable timer.cancelled: ${(decodeError as Error).message}`);
        }
      },
    });
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.cancellations?.unsubscribe();
    await this.loop.stop();
  }
}
