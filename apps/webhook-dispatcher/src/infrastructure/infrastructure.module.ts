import { Global, Module } from '@nestjs/common';
import { databaseProviders } from '@minoots/database';
import { EventPublisher, NATS_CONNECTION, natsProviders } from '@minoots/messaging';
import { DISPATCHER_CONFIG, loadDispatcherConfig } from '../config/dispatcher.config';
import { DISPATCHER_DATABASE } from '../database/dispatcher-database.type';

@Global()
@Module({
  providers: [
    { provide: DISPATCHER_CONFIG, useFactory: () => loadDispatcherConfig() },
    ...databaseProviders(DISPATCHER_DATABASE, DISPATCHER_CONFIG, 16),
    ...natsProviders(DISPATCHER_CONFIG),
  ],
  exports: [DISPATCHER_CONFIG, DISPATCHER_DATABASE, NATS_CONNECTION, EventPublisher],
})
export class InfrastructureModule {}
