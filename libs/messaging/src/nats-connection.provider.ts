import { Inject, OnApplicationShutdown, Provider } from '@nestjs/common';
import { NatsConnection } from '@nats-io/nats-core';
import { connectNats } from './nats-connection.util';
import { EventPublisher } from './event-publisher.service';

export const NATS_CONNECTION = Symbol('NATS_CONNECTION');

interface NatsSettings {
  NATS_URL: string;
  namespace: string;
  instanceId: string;
}

class NatsConnectionCloser implements OnApplicationShutdown {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(EventPublisher) private readonly publisher: EventPublisher,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.nc.drain().catch(() => undefined);
    // Whatever still waits for a JetStream acknowledgement will not get one now: say so at once.
    this.publisher.close();
  }
}

/** The JetStream connection and event publisher of a service, closed on shutdown. */
export function natsProviders(configToken: symbol): Provider[] {
  return [
    {
      provide: NATS_CONNECTION,
      inject: [configToken],
      useFactory: (config: NatsSettings) => connectNats(config.NATS_URL, config.instanceId),
    },
    {
      provide: EventPublisher,
      inject: [NATS_CONNECTION, configToken],
      useFactory: (nc: NatsConnection, config: NatsSettings) => EventPublisher.create(nc, config.namespace),
    },
    NatsConnectionCloser,
  ];
}
