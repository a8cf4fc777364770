import { Kysely, PostgresDialect } from 'kysely';
import { Pool, types } from 'pg';
import { PreparingClient } from './preparing-client.util';

// COUNT(*) and BIGINT come back as strings by default; our counts and sequences fit in a double.
types.setTypeParser(types.builtins.INT8, (value) => Number(value));

export interface DatabaseOptions {
  url: string;
  /** Pool size; keep it small on a 2-core machine (Postgres itself needs the cores). */
  max?: number;
  applicationName?: string;
}

export function createDatabase<DB>(options: DatabaseOptions): Kysely<DB> {
  const pool = new Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    application_name: options.applicationName,
    // A restarted Postgres leaves dead sockets in the pool; drop idle ones quickly so they are replaced.
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 5_000,
    Client: PreparingClient,
  });
  // Without a listener, an idle client's error (Postgres restarting) would crash the process.
  pool.on('error', () => undefined);
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
}
