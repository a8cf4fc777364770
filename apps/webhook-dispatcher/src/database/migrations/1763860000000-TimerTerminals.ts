import { Kysely, sql } from 'kysely';

/**
 * Timer lifecycle events now carry the timer, so the dispatcher stops keeping a snapshot of every
 * pending timer (written on each timer.created, it put a write on the creation path and held due
 * deliveries behind creation backlogs). What remains is which terminal event came first per timer.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table dispatcher.timer_terminals (
      timer_id text primary key,
      seq bigint not null,
      status text not null,
      ended_at timestamptz not null,
      recorded_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index timer_terminals_recorded on dispatcher.timer_terminals (recorded_at)`.execute(db);
  await sql`
    insert into dispatcher.timer_terminals (timer_id, seq, status, ended_at)
    select id, terminal_seq, status, coalesce(ended_at, now()) from dispatcher.timer_snapshots where terminal_seq is not null`.execute(db);
  await sql`drop table dispatcher.timer_snapshots`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    create table dispatcher.timer_snapshots (
      id text primary key,
      tenant_id text not null,
      spec jsonb not null,
      status text not null,
      terminal_seq bigint,
      ended_at timestamptz,
      cancel_reason text
    )`.execute(db);
  await sql`drop table dispatcher.timer_terminals`.execute(db);
}
