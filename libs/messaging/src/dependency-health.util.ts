import { NatsConnection } from '@nats-io/nats-core';
import { Kysely, sql } from 'kysely';

export interface DependencyHealth {
  ok: boolean;
  checks: { database: 'up' | 'down'; nats: 'up' | 'down' };
}

/** Whether a service's Postgres answers and its NATS connection is open: what /health reports. */
export async function checkDependencies(db: Kysely<any>, nc: NatsConnection): Promise<DependencyHealth> {
  const database = await sql`select 1`.execute(db).then(
    () => 'up' as const,
    () => 'down' as const,
  );
  const nats = nc.isClosed() ? ('down' as const) : ('up' as const);
  return { ok: database === 'up' && nats === 'up', checks: { database, nats } };
}
