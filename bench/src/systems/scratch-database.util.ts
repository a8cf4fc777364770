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
