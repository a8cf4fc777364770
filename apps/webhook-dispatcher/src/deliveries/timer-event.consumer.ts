import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NatsConnection } from '@nats-io/nats-core';
import { LeaderEventConsumer, NATS_CONNECTION } from '@minoots/messaging';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { DeliverySender } from './delivery-sender.service';
import { TimerEventIntake } from './timer-event-intake.service';

/**
 * Consumes the timer stream (on the leader replica, so terminal events apply in stream order),
 * records the deliveries each event implies, acknowledges, and starts the first attempts at once.
 */
@Injectable()
export class TimerEventConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TimerEventConsumer.name);
  private readonly stream: LeaderEventConsumer<'timers'>;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(DISPATCHER_CONFIG) config: DispatcherConfig,
    intake: TimerEventIntake,
    sender: DeliverySender,
  ) {
    this.stream = new LeaderEventConsumer(nc, {
      databaseUrl: config.DATABASE_URL,
      namespace: config.namespace,
      stream: 'timers',
      durable: 'webhook-dispatcher',
      logger: this.logger,
      handle: async (batch) => {
        const created = await intake.apply(batch, sender.leaseMs);
        for (const delivery of created) sender.dispatch(delivery);
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
