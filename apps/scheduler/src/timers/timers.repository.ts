import { Inject, Injectable } from '@nestjs/common';
import { Transaction, sql } from 'kysely';
import { TimerSpec, TimerStatus } from '@minoots/contracts';
import {
  SCHEDULER_DATABASE,
  SchedulerDatabase,
  SchedulerDB,
  TRIGGER_STATE,
  TimersTable,
  TriggerKind,
  TriggersTable,
} from '../database/scheduler-database.type';
import { Selectable, Insertable } from 'kysely';
import { markTriggersFired } from '../firing/triggers.repository';

export type TimerRow = Selectable<TimersTable>;

export type TerminalChange = { timerId: string; tenantId: string; seq: number } & (
  | { status: 'cancelled'; at: string; reason: string | null }
  | { status: 'expired'; at: string }
);
type Trx = Transaction<SchedulerDB>;

/** A trigger's firing as its event in the stream tells it. */
export interface RecordedFiring {
  timerId: string;
  kind: TriggerKind;
  label: string;
  firedAt: string;
}

export interface TimerListFilter {
  tenantId: string;
  status?: TimerStatus;
  agentId?: string;
  name?: string;
  limit: number;
  after?: { createdAt: Date; id: string };
}

/** How far ahead of Postgres's clock a holder's may run: its expiry may be out that much "early". */
const DUE_MARGIN = '1 second';

export function expireEventId(timerId: string): string {
  return `evt_fire_${timerId}_expire`;
}

export function progressEventId(timerId: string, percent: number): string {
  return `evt_fire_${timerId}_p${percent}`;
}

/** The rows a `timer.created` event projects to: the timer and one trigger per milestone plus its expiry. */
export function projectCreatedTimer(tenantId: string, spec: TimerSpec, seq: number) {
  const startMs = Date.parse(spec.startAt);
  const timer: Insertable<TimersTable> = {
    id: spec.id,
    tenant_id: tenantId,
    name: spec.name,
    agent_id: spec.agentId,
    duration_ms: spec.durationMs,
    start_at: spec.startAt,
    fire_at: spec.fireAt,
    status: 'pending',
    events: JSON.stringify(spec.events),
    metadata: JSON.stringify(spec.metadata),
    created_at: spec.createdAt,
    created_seq: seq,
  };
  const triggers: Insertable<TriggersTable>[] = spec.milestones.map((m) => ({
    timer_id: spec.id,
    kind: 'progress',
    label: m.label,
    percent: m.percent,
    tenant_id: tenantId,
    due_at: new Date(startMs + Math.round((spec.durationMs * m.percent) / 100)),
    event_id: progressEventId(spec.id, m.percent),
  }));
  triggers.push({
    timer_id: spec.id,
    kind: 'expire',
    label: '',
    percent: null,
    tenant_id: tenantId,
    due_at: spec.fireAt,
    event_id: expireEventId(spec.id),
  });
  return { timer, triggers };
}

@Injectable()
export class TimersRepository {
  constructor(@Inject(SCHEDULER_DATABASE) private readonly db: SchedulerDatabase) {}

  transaction<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /** Idempotent: an event applied twice inserts nothing the second time. One statement. */
  async insertCreated(rows: ReturnType<typeof projectCreatedTimer>[], db: Trx | SchedulerDatabase = this.db): Promise<void> {
    if (rows.length === 0) return;
    // Columns as arrays (unnest): binding thousands of scalar parameters cost more than the insert.
    const t = rows.map((r) => r.timer);
    const g = rows.flatMap((r) => r.triggers);
    await sql`
      with new_timers as (
        insert into scheduler.timers (id, tenant_id, name, agent_id, duration_ms, start_at, fire_at, status, events, metadata, created_at, created_seq)
        select * from unnest(${t.map((x) => x.id)}::text[], ${t.map((x) => x.tenant_id)}::text[], ${t.map((x) => x.name)}::text[],
                             ${t.map((x) => x.agent_id ?? null)}::text[], ${t.map((x) => x.duration_ms)}::bigint[], ${t.map((x) => x.start_at)}::timestamptz[],
                             ${t.map((x) => x.fire_at)}::timestamptz[], ${t.map((x) => x.status)}::text[], ${t.map((x) => x.events)}::jsonb[],
                             ${t.map((x) => x.metadata)}::jsonb[], ${t.map((x) => x.created_at)}::timestamptz[], ${t.map((x) => x.created_seq)}::bigint[])
        on conflict (id) do nothing
        returning 1
      )
      insert into scheduler.triggers (timer_id, kind, label, percent, tenant_id, due_at, event_id)
      select * from unnest(${g.map((x) => x.timer_id)}::text[], ${g.map((x) => x.kind)}::text[], ${g.map((x) => x.label)}::text[],
                           ${g.map((x) => x.percent ?? null)}::float8[], ${g.map((x) => x.tenant_id)}::text[], ${g.map((x) => x.due_at)}::timestamptz[],
                           ${g.map((x) => x.event_id)}::text[])
      on conflict (timer_id, kind, label) do nothing`.execute(db);
  }

  /**
   * Ends timers unless an earlier event in the stream already ended them (one statement for a
   * whole batch). Comparing stream sequences makes the outcome independent of the order replicas
   * apply events in, and of when the firing replica's own record of an expiry lands. Returns the
   * timers this cancelled. Their unclaimed triggers are dropped here; a claimed one is left to
   * the replica holding it, which alone knows whether it published it already (and, if it dies,
   * to whoever claims it next: `FiringLoop.hold`), or a cancel could hide an expiry that came first.
   */
  async applyTerminals(changes: TerminalChange[], db: Trx | SchedulerDatabase = this.db): Promise<string[]> {
    if (changes.length === 0) return [];
    // One statement: end the timers, then drop the pending triggers of those this cancelled.
    const result = await sql<{ id: string; status: string }>`
      with ended as (
        update scheduler.timers t
           set status = v.status,
               terminal_seq = v.seq,
               expired_at = case when v.status = 'expired' then v.at end,
               cancelled_at = case when v.status = 'cancelled' then v.at end,
               cancel_reason = v.reason
          from unnest(${changes.map((c) => c.timerId)}::text[], ${changes.map((c) => c.tenantId)}::text[], ${changes.map((c) => c.seq)}::bigint[],
                      ${changes.map((c) => c.status)}::text[], ${changes.map((c) => c.at)}::timestamptz[],
                      ${changes.map((c) => (c.status === 'cancelled' ? c.reason : null))}::text[]) as v(id, tenant_id, seq, status, at, reason)
         where t.id = v.id and t.tenant_id = v.tenant_id and (t.terminal_seq is null or t.terminal_seq > v.seq)
        returning t.id, t.status
      ), dropped as (
        update scheduler.triggers g
           set state = ${TRIGGER_STATE.cancelled}
          from ended
         where g.timer_id = ended.id and ended.status = 'cancelled' and g.state = ${TRIGGER_STATE.pending}
           and g.lease_owner is null
        returning 1
      )
      select id, status from ended`.execute(db);
    return result.rows.filter((r) => r.status === 'cancelled').map((r) => r.id);
  }

  /**
   * Records firings read from the stream as fired triggers (the scheduler that published them
   * marked them too, unless the projection is being rebuilt): what is recorded is never fired again.
   */
  recordFirings(firings: RecordedFiring[]): Promise<void> {
    return markTriggersFired(this.db, firings);
  }

  /**
   * Whether the timer's expiry is due (by Postgres's clock, give or take `DUE_MARGIN` for the
   * holder's) and claimed, but neither recorded fired nor cancelled: its holder is firing or
   * dropping it now, so the timer may yet turn out to have expired. One still unsettled
   * `stalledAfterMs` past its due time, under the lease it was claimed with before falling due, has
   * a holder that died (or cannot reach NATS or Postgres): that lease is ended here, so the next
   * claim, on any replica, publishes it again (`recovered`) and records what deduplication answers,
   * instead of after the whole lease. (A holder that was only slow publishes it too: deduplication
   * makes that one event. A lease taken after the due time, by such a recovery, is left alone.)
   */
  async expiryUnsettled(timerId: string, stalledAfterMs: number, leaseMs: number): Promise<boolean> {
    const row = await sql<{ stalled: boolean; lease_owner: string }>`
      select due_at < now() - make_interval(secs => ${stalledAfterMs / 1000})
               and lease_until > now() and lease_until <= due_at + make_interval(secs => ${leaseMs / 1000}) as stalled,
             lease_owner
        from scheduler.triggers
       where timer_id = ${timerId} and kind = 'expire' and label = '' and state = ${TRIGGER_STATE.pending}
         and lease_owner is not null and due_at <= now() + ${DUE_MARGIN}::interval`.execute(this.db);
    const found = row.rows[0];
    if (found?.stalled) {
      await sql`
        update scheduler.triggers set lease_until = now()
         where timer_id = ${timerId} and kind = 'expire' and label = '' and state = ${TRIGGER_STATE.pending}
           and lease_owner = ${found.lease_owner}`.execute(this.db);
    }
    return found !== undefined;
  }

  /** Empties the projection, for a rebuild from the stream. */
  async truncate(): Promise<void> {
    await sql`truncate scheduler.triggers, scheduler.timers`.execute(this.db);
  }

  /**
   * Pending triggers leased to a replica now, and when the last of those leases runs out. (A lease
   * on a trigger that has since been cancelled or fired holds nothing: a cancel leaves it be.)
   */
  async liveLeases(): Promise<{ count: number; until: Date | null }> {
    const row = await this.db
      .selectFrom('scheduler.triggers')
      .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.max('lease_until').as('until')])
      .where('lease_until', '>', new Date())
      .where('state', '=', TRIGGER_STATE.pending)
      .executeTakeFirstOrThrow();
    return { count: Number(row.count), until: row.until ? new Date(row.until) : null };
  }

  async findById(tenantId: string, id: string): Promise<TimerRow | undefined> {
    return this.db
      .selectFrom('scheduler.timers')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  async list(filter: TimerListFilter): Promise<TimerRow[]> {
    let query = this.db.selectFrom('scheduler.timers').selectAll().where('tenant_id', '=', filter.tenantId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.agentId) query = query.where('agent_id', '=', filter.agentId);
    if (filter.name) query = query.where('name', '=', filter.name);
    if (filter.after) {
      const { createdAt, id } = filter.after;
      query = query.where(sql<boolean>`(created_at, id) < (${createdAt}, ${id})`);
    }
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  }
}
