import { Global, Module } from '@nestjs/common';
import { databaseProviders } from '@minoots/database';
import { EventPublisher, NATS_CONNECTION, natsProviders } from '@minoots/messaging';
import { SecretBox } from '@minoots/signing';
import { UrlPolicy } from '@minoots/url-policy';
import { DISPATCHER_CONFIG, DispatcherConfig, loadDispatcherConfig } from '../config/dispatcher.config';
import { DISPATCHER_DATABASE } from '../database/dispatcher-database.type';

@Global()
@Module({
  providers: [
    { provide: DISPATCHER_CONFIG, useFactory: () => loadDispatcherConfig() },
    ...databaseProviders(DISPATCHER_DATABASE, DISPATCHER_CONFIG, 16),
    ...natsProviders(DISPATCHER_CONFIG),
    { provide: SecretBox, inject: [DISPATCHER_CONFIG], useFactory: (config: DispatcherConfig) => new SecretBox(config.MINOOTS_SECRETS_KEY) },
    { provide: UrlPolicy, inject: [DISPATCHER_CONFIG], useFactory: (config: DispatcherConfig) => new UrlPolicy({ allowedCidrs: config.allowedCidrs }) },
  ],
  exports: [DISPATCHER_CONFIG, DISPATCHER_DATABASE, NATS_CONNECTION, EventPublisher, SecretBox, UrlPolicy],
})
export class InfrastructureModule {}
