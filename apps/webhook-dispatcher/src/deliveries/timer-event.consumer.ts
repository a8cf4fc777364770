import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NatsConnection } from '@nats-io/nats-core';
import { AdvisoryLeadership } from '@minoots/database';
import { DurableEventConsumer } from '@minoots/messaging';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { NATS_CONNECTION } from '../infrastructure/infrastructure.module';
import { DeliverySender } from './delivery-sender.service';
import { TimerEventIntake } from './timer-event-intake.service';

/**
 * Consumes the timer stream (one replica at a time, so terminal events apply in stream order),
 * records the deliveries each event implies, acknowledges, and starts the first attempts at once.
 */
@Injectable()
export class TimerEventConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TimerEventConsumer.name);
  private readonly consumer: DurableEventConsumer;
  private readonly leadership: AdvisoryLeadership;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(DISPATCHER_CONFIG) config: DispatcherConfig,
    intake: TimerEventIntake,
    sender: DeliverySender,
  ) {
    this.consumer = new DurableEventConsumer(nc, {
      namespace: config.namespace,
      stream: 'timers',
      durable: 'webhook-dispatcher',
      logger: this.logger,
      handle: async (batch) => {
        const created = await intake.apply(batch, sender.leaseMs);
        for (const delivery of created) sender.dispatch(delivery);
      },
    });
    this.leadership = new AdvisoryLeadership({
      url: config.DATABASE_URL,
      lockName: `${config.namespace}.dispatcher.intake`,
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
