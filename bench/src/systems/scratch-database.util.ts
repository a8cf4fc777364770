import { Client } from 'pg';

/** Helpers for the peers' throwaway databases (each peer gets its own, dropped afterwards). */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(adminUrl: string, sql: string[]): Promise<void> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    for (const statement of sql) await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function recreateDatabase(adminUrl: string, database: string): Promise<void> {
  const ident = Client.prototype.escapeIdentifier(database);
  await adminQuery(adminUrl, [`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`, `CREATE DATABASE ${ident}`]);
}

export async function dropDatabase(adminUrl: string, database: string): Promise<void> {
  await adminQuery(adminUrl, [`DROP DATABASE IF EXISTS ${Client.prototype.escapeIdentifier(database)} WITH (FORCE)`]);
}

/** Resolves true when `promise` settles in time (rethrowing its error), false on timeout. */
export async function withinMs(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
