import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table dispatcher.signing_secrets (
      tenant_id text primary key,
      secret_sealed text not null,
      created_at timestamptz not null default now(),
      previous_sealed text,
      previous_expires_at timestamptz
    )`.execute(db);
  await sql`
    create table dispatcher.timer_snapshots (
      id text primary key,
      tenant_id text not null,
      spec jsonb not null,
      status text not null default 'pending',
      terminal_seq bigint,
      ended_at timestamptz,
      cancel_reason text
    )`.execute(db);
  await sql`
    create table dispatcher.deliveries (
      id text primary key,
      tenant_id text not null,
      event_id text not null,
      event_type text not null,
      timer_id text,
      target text not null,
      url text not null,
      payload text not null,
      status text not null default 'pending',
      attempt_count int not null default 0,
      max_attempts int not null,
      created_at timestamptz not null default now(),
      next_attempt_at timestamptz,
      lease_owner text,
      lease_until timestamptz,
      last_error text,
      completed_at timestamptz,
      -- One delivery per event and target: a redelivered event finds its delivery already there.
      unique (event_id, target)
    )`.execute(db);
  await sql`create index deliveries_due on dispatcher.deliveries (next_attempt_at) where status = 'pending'`.execute(db);
  await sql`create index deliveries_tenant_listing on dispatcher.deliveries (tenant_id, created_at desc, id desc)`.execute(db);
  await sql`create index deliveries_timer on dispatcher.deliveries (timer_id)`.execute(db);
  await sql`
    create table dispatcher.delivery_attempts (
      id bigserial primary key,
      delivery_id text not null references dispatcher.deliveries (id),
      attempt int not null,
      started_at timestamptz not null,
      duration_ms int not null,
      status_code int,
      response_excerpt text,
      error text,
      outcome text not null,
      unique (delivery_id, attempt)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table dispatcher.delivery_attempts`.execute(db);
  await sql`drop table dispatcher.deliveries`.execute(db);
  await sql`drop table dispatcher.timer_snapshots`.execute(db);
  await sql`drop table dispatcher.signing_secrets`.execute(db);
}
