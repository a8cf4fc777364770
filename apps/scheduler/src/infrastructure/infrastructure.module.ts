import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { NatsConnection } from '@nats-io/nats-core';
import { createDatabase } from '@minoots/database';
import { connectNats, EventPublisher } from '@minoots/messaging';
import { loadSchedulerConfig, SCHEDULER_CONFIG, SchedulerConfig } from '../config/scheduler.config';
import { SCHEDULER_DATABASE, SchedulerDatabase, SchedulerDB } from '../database/scheduler-database.type';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

class InfrastructureShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(SCHEDULER_DATABASE) private readonly db: SchedulerDatabase,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.nc.drain().catch(() => undefined);
    await this.db.destroy();
  }
}

@Global()
@Module({
  providers: [
    { provide: SCHEDULER_CONFIG, useFactory: () => loadSchedulerConfig() },
    {
      provide: SCHEDULER_DATABASE,
      inject: [SCHEDULER_CONFIG],
      useFactory: (config: SchedulerConfig) =>
        createDatabase<SchedulerDB>({ url: config.DATABASE_URL, max: 8, applicationName: 'minoots-scheduler' }),
    },
    {
      provide: NATS_CONNECTION,
      inject: [SCHEDULER_CONFIG],
      useFactory: (config: SchedulerConfig) => connectNats(config.NATS_URL, `scheduler ${config.instanceId}`),
    },
    {
      provide: EventPublisher,
      inject: [NATS_CONNECTION, SCHEDULER_CONFIG],
      useFactory: (nc: NatsConnection, config: SchedulerConfig) => EventPublisher.create(nc, config.namespace),
    },
    InfrastructureShutdown,
  ],
  exports: [SCHEDULER_CONFIG, SCHEDULER_DATABASE, NATS_CONNECTION, EventPublisher],
})
export class InfrastructureModule {}
