import { Global, Module } from '@nestjs/common';
import { databaseProviders } from '@minoots/database';
import { EventPublisher, NATS_CONNECTION, natsProviders } from '@minoots/messaging';
import { loadSchedulerConfig, SCHEDULER_CONFIG } from '../config/scheduler.config';
import { SCHEDULER_DATABASE } from '../database/scheduler-database.type';

@Global()
@Module({
  providers: [
    { provide: SCHEDULER_CONFIG, useFactory: () => loadSchedulerConfig() },
    ...databaseProviders(SCHEDULER_DATABASE, SCHEDULER_CONFIG, 8),
    ...natsProviders(SCHEDULER_CONFIG),
  ],
  exports: [SCHEDULER_CONFIG, SCHEDULER_DATABASE, NATS_CONNECTION, EventPublisher],
})
export class InfrastructureModule {}
