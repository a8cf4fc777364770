import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { NatsConnection } from '@nats-io/nats-core';
import { LeaderEventConsumer, NATS_CONNECTION } from '@minoots/messaging';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics.service';
import { DeliverySender } from './delivery-sender.service';
import { DeliveryWriter } from './delivery-writer.service';
import { TimerEventIntake } from './timer-event-intake.service';

/**
 * Consumes the timer stream (on the leader replica, so terminal events apply in stream order).
 * Per batch: decide what each event delivers, start the first attempts at once, and write the
 * deliveries alongside; the batch is acknowledged once they are written. A crash before that
 * redelivers the batch, which plans the same deliveries under the same ids.
 */
@Injectable()
export class TimerEventConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(TimerEventConsumer.name);
  private readonly stream: LeaderEventConsumer<'timers'>;

  constructor(
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    @Inject(DISPATCHER_CONFIG) config: DispatcherConfig,
    intake: TimerEventIntake,
    writer: DeliveryWriter,
    private readonly sender: DeliverySender,
    metrics: DispatcherMetrics,
  ) {
    this.stream = new LeaderEventConsumer(nc, {
      databaseUrl: config.DATABASE_URL,
      namespace: config.namespace,
      stream: 'timers',
      durable: 'webhook-dispatcher',
      logger: this.logger,
      minBatchIntervalMs: config.DISPATCHER_INTAKE_BATCH_MS,
      // The next leader replans whatever is not written: write what is held now, so it finds the
      // deliveries whose first attempts are under way here (leased) rather than sending them again.
      onDeposed: () => writer.releaseAll(),
      handle: async (batch, term) => {
        metrics.recordPickup(batch);
        const { rows, deliveries, terminals } = await intake.plan(batch, term, sender.leaseMs);
        const durable = writer.insert(rows, terminals);
        for (const delivery of deliveries) sender.dispatch(delivery, durable);
        return { durable };
      },
    });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.stream.start();
  }

  /**
   * Before any resource closes (Nest runs a module's onApplicationShutdown hooks all at once): stop
   * taking events, then let the attempts of the last batches finish while HTTP and Postgres are up.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stream.stop();
    await this.sender.drain();
  }
}
