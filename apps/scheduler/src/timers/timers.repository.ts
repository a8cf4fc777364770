import { Inject, Injectable } from '@nestjs/common';
import { Transaction, sql } from 'kysely';
import { TimerSpec, TimerStatus } from '@minoots/contracts';
import {
  SCHEDULER_DATABASE,
  SchedulerDatabase,
  SchedulerDB,
  TRIGGER_STATE,
  TimersTable,
  TriggersTable,
} from '../database/scheduler-database.type';
import { Selectable, Insertable } from 'kysely';

export type TimerRow = Selectable<TimersTable>;

export type TerminalChange = { timerId: string; tenantId: string; seq: number } & (
  | { status: 'cancelled'; at: string; reason: string | null }
  | { status: 'expired'; at: string }
);
type Trx = Transaction<SchedulerDB>;

export interface TimerListFilter {
  tenantId: string;
  status?: TimerStatus;
  agentId?: string;
  name?: string;
  limit: number;
  after?: { createdAt: Date; id: string };
}

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

  /** Idempotent: an event applied twice inserts nothing the second time. */
  async insertCreated(trx: Trx, rows: ReturnType<typeof projectCreatedTimer>[]): Promise<void> {
    if (rows.length === 0) return;
    await trx.insertInto('scheduler.timers').values(rows.map((r) => r.timer)).onConflict((oc) => oc.column('id').doNothing()).execute();
    await trx
      .insertInto('scheduler.triggers')
      .values(rows.flatMap((r) => r.triggers))
      .onConflict((oc) => oc.columns(['timer_id', 'kind', 'label']).doNothing())
      .execute();
  }

  /**
   * Ends timers unless an earlier event in the stream already ended them (one statement for a
   * whole batch). Comparing stream sequences makes the outcome independent of the order replicas
   * apply events in. Returns the timers this cancelled, whose pending triggers are then dropped.
   */
  async applyTerminals(trx: Trx, changes: TerminalChange[]): Promise<string[]> {
    if (changes.length === 0) return [];
    const rows = changes.map(
      (c) =>
        sql`(${c.timerId}, ${c.tenantId}, ${c.seq}::bigint, ${c.status}, ${c.at}::timestamptz, ${c.status === 'cancelled' ? c.reason : null})`,
    );
    const result = await sql<{ id: string; status: string }>`
      update scheduler.timers t
         set status = v.status,
             terminal_seq = v.seq,
             expired_at = case when v.status = 'expired' then v.at end,
             cancelled_at = case when v.status = 'cancelled' then v.at end,
             cancel_reason = v.reason
        from (values ${sql.join(rows)}) as v(id, tenant_id, seq, status, at, reason)
       where t.id = v.id and t.tenant_id = v.tenant_id and (t.terminal_seq is null or t.terminal_seq > v.seq)
      returning t.id, t.status`.execute(trx);
    const cancelled = result.rows.filter((r) => r.status === 'cancelled').map((r) => r.id);
    if (cancelled.length > 0) {
      await trx
        .updateTable('scheduler.triggers')
        .set({ state: TRIGGER_STATE.cancelled })
        .where('timer_id', 'in', cancelled)
        .where('state', '=', TRIGGER_STATE.pending)
        .execute();
    }
    return cancelled;
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
