import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NatsConnection } from '@nats-io/nats-core';
import { AdvisoryLeadership } from '@minoots/database';
import { DurableEventConsumer } from '@minoots/messaging';
import { SCHEDULER_CONFIG, SchedulerConfig } from '../config/scheduler.config';
import { NATS_CONNECTION } from '../infrastructure/infrastructure.module';
import { TimerFiringService } from '../firing/timer-firing.service';
import { TimerProjection } from './timer-projection.service';
import { ProjectionWatermark } from './projection-watermark';

/**
 * Feeds the timer stream into the projection, then tells the firing loop and the watermark.
 * One replica at a time projects (the leader), so events apply in stream order; every replica
 * fires and answers queries.
 */
@Injectable()
export class TimerStreamConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TimerStreamConsumer.name);
  readonly consumer: DurableEventConsumer;
  readonly watermark = new ProjectionWatermark(() => this.consumer.ackFloor());
  private readonly leadership: AdvisoryLeadership;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(SCHEDULER_CONFIG) config: SchedulerConfig,
    projection: TimerProjection,
    firing: TimerFiringService,
  ) {
    this.consumer = new DurableEventConsumer(nc, {
      namespace: config.namespace,
      stream: 'timers',
      durable: 'scheduler',
      logger: this.logger,
      handle: async (batch) => {
        const outcome = await projection.apply(batch);
        for (const id of outcome.cancelledTimerIds) firing.loop.forget(id);
        if (outcome.earliestDueAt && outcome.earliestDueAt.getTime() <= Date.now() + config.SCHEDULER_LOOKAHEAD_MS) {
          firing.loop.wake();
        }
        this.watermark.advance(outcome.lastSeq);
      },
    });
    this.leadership = new AdvisoryLeadership({
      url: config.DATABASE_URL,
      lockName: `${config.namespace}.scheduler.projection`,
      logger: this.logger,
      onElected: () => this.consumer.start(),
      onDeposed: () => this.consumer.stop(),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.leadership.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.leadership.stop();
  }
}
