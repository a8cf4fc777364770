import { Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table dispatcher.endpoints (
      id text primary key,
      tenant_id text not null,
      name text not null,
      url text not null,
      description text,
      event_types text[] not null,
      secret_sealed text not null,
      previous_secret_sealed text,
      previous_secret_expires_at timestamptz,
      enabled boolean not null default true,
      health text not null default 'healthy',
      disabled_reason text,
      rate_limit_per_minute int not null,
      max_attempts int not null,
      metadata jsonb,
      consecutive_failures int not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      deleted_at timestamptz
    )`.execute(db);
  await sql`create index endpoints_tenant on dispatcher.endpoints (tenant_id, created_at) where deleted_at is null`.execute(db);
  await sql`alter table dispatcher.deliveries add column endpoint_id text references dispatcher.endpoints (id)`.execute(db);
  await sql`alter table dispatcher.deliveries add column rate_limited_count int not null default 0`.execute(db);
  await sql`create index deliveries_endpoint on dispatcher.deliveries (endpoint_id, created_at desc) where endpoint_id is not null`.execute(db);
  await sql`create index deliveries_dead on dispatcher.deliveries (tenant_id, completed_at) where status = 'dead'`.execute(db);
  // rate-limiter-flexible's table (its layout), kept in our schema and created by us.
  await sql`
    create table dispatcher.endpoint_rate_limits (
      key varchar(255) primary key,
      points integer not null default 0,
      expire bigint
    )`.execute(db);
  // "failed" was the final state before dead letters existed: such deliveries are dead letters now.
  await sql`update dispatcher.deliveries set status = 'dead' where status = 'failed'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`update dispatcher.deliveries set status = 'failed' where status = 'dead'`.execute(db);
  await sql`drop table dispatcher.endpoint_rate_limits`.execute(db);
  await sql`drop index dispatcher.deliveries_dead`.execute(db);
  await sql`drop index dispatcher.deliveries_endpoint`.execute(db);
  await sql`alter table dispatcher.deliveries drop column rate_limited_count`.execute(db);
  await sql`alter table dispatcher.deliveries drop column endpoint_id`.execute(db);
  await sql`drop table dispatcher.endpoints`.execute(db);
}
