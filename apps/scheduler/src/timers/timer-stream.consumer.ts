import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NatsConnection } from '@nats-io/nats-core';
import { timerLifecycleSubjectsFor } from '@minoots/contracts';
import { LeaderEventConsumer, NATS_CONNECTION } from '@minoots/messaging';
import { SCHEDULER_CONFIG, SchedulerConfig } from '../config/scheduler.config';
import { TimerFiringService } from '../firing/timer-firing.service';
import { TimerProjection } from './timer-projection.service';
import { ProjectionWatermark } from './projection-watermark';

/** The projection's durable consumer, and the name of its leadership lock. */
export const PROJECTION_DURABLE = 'scheduler';

/**
 * The projection's durable, as the live consumer and a rebuild make it. It receives creations and
 * cancellations only: firings are recorded by the replica that fires them (with their stream
 * sequence, see `TriggersRepository.markFired`), so none comes back to the scheduler.
 */
export function projectionDurable(namespace: string) {
  return { namespace, stream: 'timers', durable: PROJECTION_DURABLE, filterSubject: timerLifecycleSubjectsFor(namespace) } as const;
}

/**
 * Feeds the timer stream's creations and cancellations into the projection (on the leader replica, so in stream order), then
 * tells the firing loop and the watermark. Every replica fires and answers queries.
 */
@Injectable()
export class TimerStreamConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TimerStreamConsumer.name);
  private readonly stream: LeaderEventConsumer<'timers'>;
  readonly watermark = new ProjectionWatermark(() => this.stream.consumer.ackFloor());

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(SCHEDULER_CONFIG) config: SchedulerConfig,
    projection: TimerProjection,
    firing: TimerFiringService,
  ) {
    this.stream = new LeaderEventConsumer(nc, {
      ...projectionDurable(config.namespace),
      databaseUrl: config.DATABASE_URL,
      logger: this.logger,
      minBatchIntervalMs: config.SCHEDULER_PROJECTION_BATCH_MS,
      handle: async (batch) => {
        const outcome = await projection.apply(batch);
        for (const id of outcome.cancelledTimerIds) firing.loop.forget(id);
        if (outcome.earliestDueAt && outcome.earliestDueAt.getTime() <= Date.now() + config.SCHEDULER_LOOKAHEAD_MS) {
          firing.loop.wake();
        }
        this.watermark.advance(outcome.lastSeq);
      },
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.stream.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.stream.stop();
  }
}
