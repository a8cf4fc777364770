import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table scheduler.timers (
      id text primary key,
      tenant_id text not null,
      name text not null,
      agent_id text,
      duration_ms bigint not null,
      start_at timestamptz not null,
      fire_at timestamptz not null,
      status text not null default 'pending',
      events jsonb not null,
      metadata jsonb,
      created_at timestamptz not null,
      expired_at timestamptz,
      cancelled_at timestamptz,
      cancel_reason text,
      terminal_seq bigint,
      created_seq bigint not null
    )`.execute(db);
  await sql`create index timers_tenant_listing on scheduler.timers (tenant_id, created_at desc, id desc)`.execute(db);
  await sql`
    create table scheduler.triggers (
      timer_id text not null,
      kind text not null,
      label text not null,
      percent double precision,
      tenant_id text not null,
      due_at timestamptz not null,
      event_id text not null,
      state smallint not null default 0,
      lease_owner text,
      lease_until timestamptz,
      fired_at timestamptz,
      primary key (timer_id, kind, label)
    )`.execute(db);
  // Only pending triggers are ever scanned for firing: the index stays the size of the near future.
  await sql`create index triggers_due on scheduler.triggers (due_at) where state = 0`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table scheduler.triggers`.execute(db);
  await sql`drop table scheduler.timers`.execute(db);
}
