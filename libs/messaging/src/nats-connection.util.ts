import { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

/** One connection per process for JetStream; it reconnects forever so a NATS restart heals by itself. */
export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  return connect({
    servers: url.split(','),
    name,
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: false,
  });
}
