import { Global, Module } from '@nestjs/common';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { databaseProviders } from '@minoots/database';
import { EventPublisher, NATS_CONNECTION, natsProviders } from '@minoots/messaging';
import { UrlPolicy } from '@minoots/url-policy';
import { GATEWAY_CONFIG, GatewayConfig, loadGatewayConfig } from '../config/gateway.config';
import { GATEWAY_DATABASE } from '../database/gateway-database.type';
import { QUERY_CLIENT, QueryClient } from './query.client';

@Global()
@Module({
  providers: [
    { provide: GATEWAY_CONFIG, useFactory: () => loadGatewayConfig() },
    ...databaseProviders(GATEWAY_DATABASE, GATEWAY_CONFIG, 10),
    ...natsProviders(GATEWAY_CONFIG),
    {
      provide: QUERY_CLIENT,
      inject: [GATEWAY_CONFIG],
      useFactory: async (config: GatewayConfig) => {
        const client = ClientProxyFactory.create({
          transport: Transport.NATS,
          options: { servers: config.NATS_URL.split(','), maxReconnectAttempts: -1, reconnectTimeWait: 250 },
        });
        await client.connect();
        return client;
      },
    },
    {
      provide: UrlPolicy,
      inject: [GATEWAY_CONFIG],
      useFactory: (config: GatewayConfig) => new UrlPolicy({ allowedCidrs: config.allowedCidrs }),
    },
    QueryClient,
  ],
  exports: [GATEWAY_CONFIG, GATEWAY_DATABASE, NATS_CONNECTION, EventPublisher, UrlPolicy, QueryClient],
})
export class InfrastructureModule {}
