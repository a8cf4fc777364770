import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table gateway.tenants (
      id text primary key,
      name text not null unique,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table gateway.api_keys (
      id text primary key,
      tenant_id text not null references gateway.tenants (id),
      name text not null,
      mode text not null,
      prefix text not null,
      key_hash text not null unique,
      created_at timestamptz not null default now(),
      revoked_at timestamptz
    )`.execute(db);
  await sql`
    create table gateway.idempotency_keys (
      tenant_id text not null,
      key text not null,
      request_hash text not null,
      event jsonb not null,
      response jsonb not null,
      created_at timestamptz not null default now(),
      primary key (tenant_id, key)
    )`.execute(db);
  await sql`create index idempotency_keys_created on gateway.idempotency_keys (created_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table gateway.idempotency_keys`.execute(db);
  await sql`drop table gateway.api_keys`.execute(db);
  await sql`drop table gateway.tenants`.execute(db);
}
