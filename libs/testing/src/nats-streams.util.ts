import { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS, StreamKey, streamNameFor } from '@minoots/contracts';

/**
 * Deletes every stream of a namespace (each service creates all of them at start), so a test run
 * leaves nothing behind in the shared NATS. Streams that were never made are skipped.
 */
export async function deleteNamespaceStreams(nc: NatsConnection, namespace: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  await Promise.all((Object.keys(STREAMS) as StreamKey[]).map((key) => jsm.streams.delete(streamNameFor(namespace, key)).catch(() => undefined)));
}
