import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { TimerSnapshot, TimerStatus } from '@minoots/contracts';
import { SCHEDULER_DATABASE, SchedulerDatabase, TRIGGER_STATE, TriggerKind } from '../database/scheduler-database.type';
import { toTimerSnapshot } from '../timers/timer-view.mapper';

export interface ClaimedTrigger {
  timerId: string;
  kind: TriggerKind;
  label: string;
  percent: number | null;
  tenantId: string;
  dueAt: Date;
  eventId: string;
  /** Stream sequence of the timer's creation, carried in the fired event. */
  createdSeq: number;
  /** Carried in the fired event, so its consumers need not have kept the timer. */
  timer: TimerSnapshot;
  /**
   * Another lease held it before this claim (a replica that died, or this one before a restart):
   * its holder may have published it already.
   */
  recovered: boolean;
  /** The timer's status as the projection had it when claimed. */
  timerStatus: TimerStatus;
}

export type TriggerKeyParts = Pick<ClaimedTrigger, 'timerId' | 'kind' | 'label'>;

/** A fired trigger as recorded: its event's stream sequence and firing time. */
export interface FiringRecord {
  trigger: ClaimedTrigger;
  firedAt: Date;
  seq: number;
}

/**
 * `state = 0` written into the SQL rather than bound: a prepared statement's generic plan cannot
 * use the partial index `triggers_due (due_at) where state = 0` for `state = $1`, and Postgres
 * switches to that plan after a few executions. With a million pending timers that plan read the
 * whole table on every poll (Postgres CPU per creation tripled over a 1M-timer run).
 */
const PENDING = sql.lit(TRIGGER_STATE.pending);

/** The keys as three arrays, for `unnest`. */
function keyColumns(keys: TriggerKeyParts[]) {
  return { timerIds: keys.map((k) => k.timerId), kinds: keys.map((k) => k.kind), labels: keys.map((k) => k.label) };
}

/**
 * Marks triggers fired in one statement: the firing scheduler's record, and the projection's when a
 * rebuild replays firings from the stream. A trigger a cancel dropped is marked too: its event is in
 * the stream (say, its holder missed the cancel), and a rebuild, which applies a batch's cancels
 * before its firings, must end where the live record did. A join on arrays: a row-value IN list of
 * thousands of keys is planned as a chain of ORs, which kept one Postgres backend busy for seconds
 * per burst.
 */
function markFiredStatement(triggers: TriggerKeyParts[], firedAt: (Date | string)[]) {
  const keys = keyColumns(triggers);
  return sql`
    update scheduler.triggers t
       set state = ${TRIGGER_STATE.fired}, fired_at = v.fired_at, lease_owner = null, lease_until = null
      from unnest(${keys.timerIds}::text[], ${keys.kinds}::text[], ${keys.labels}::text[], ${firedAt}::timestamptz[]) as v(timer_id, kind, label, fired_at)
     where t.timer_id = v.timer_id and t.kind = v.kind and t.label = v.label
       and t.state <> ${TRIGGER_STATE.fired}`;
}

/** The rebuild's record of the firings it replays (`TimersRepository.recordFirings`). */
export async function markTriggersFired(db: SchedulerDatabase, fired: (TriggerKeyParts & { firedAt: Date | string })[]): Promise<void> {
  if (fired.length > 0) await markFiredStatement(fired, fired.map((f) => f.firedAt)).execute(db);
}

export function triggerKey(t: TriggerKeyParts): string {
  return `${t.timerId}\u0000${t.kind}\u0000${t.label}`;
}

export function parseTriggerKey(key: string): TriggerKeyParts {
  const [timerId, kind, label] = key.split('\u0000');
  return { timerId, kind: kind as TriggerKind, label };
}

@Injectable()
export class TriggersRepository {
  constructor(@Inject(SCHEDULER_DATABASE) private readonly db: SchedulerDatabase) {}

  /**
   * Leases pending triggers due before `horizon` to `owner`. SKIP LOCKED lets replicas claim
   * concurrently without waiting on each other; the lease keeps a claimed trigger from being
   * claimed again until it runs out (a replica that died), or by its own owner after a restart.
   */
  async claimDue(owner: string, horizon: Date, leaseMs: number, limit: number, reclaimOwn = false): Promise<ClaimedTrigger[]> {
    // Times come back as ISO text and epoch milliseconds: parsing thousands of timestamptz values
    // into Dates (and back to strings for the events) was a fifth of the scheduler's firing CPU.
    const iso = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
    const result = await sql<{
      timer_id: string;
      kind: TriggerKind;
      label: string;
      percent: number | null;
      tenant_id: string;
      due_ms: number;
      event_id: string;
      created_seq: string;
      name: string;
      agent_id: string | null;
      duration_ms: string;
      start_at: string;
      fire_at: string;
      created_at: string;
      events: TimerSnapshot['events'];
      metadata: TimerSnapshot['metadata'];
      recovered: boolean;
      timer_status: TimerStatus;
    }>`
      update scheduler.triggers t
         set lease_owner = ${owner},
             lease_until = now() + make_interval(secs => ${leaseMs / 1000})
        from (
          select timer_id, kind, label, lease_owner as previous_owner
            from scheduler.triggers
           where state = ${PENDING}
             and due_at <= ${horizon}
             and (lease_until is null or lease_until < now() ${reclaimOwn ? sql`or lease_owner = ${owner}` : sql``})
           order by due_at
           limit ${limit}
           for update skip locked
        ) due, scheduler.timers tm
       where t.timer_id = due.timer_id and t.kind = due.kind and t.label = due.label and tm.id = t.timer_id
      returning t.timer_id, t.kind, t.label, t.percent, t.tenant_id, (extract(epoch from t.due_at) * 1000)::float8 as due_ms, t.event_id, tm.created_seq,
                tm.name, tm.agent_id, tm.duration_ms, ${iso('tm.start_at')} as start_at, ${iso('tm.fire_at')} as fire_at,
                ${iso('tm.created_at')} as created_at, tm.events, tm.metadata, due.previous_owner is not null as recovered, tm.status as timer_status`.execute(this.db);
    return result.rows.map((r) => ({
      timerId: r.timer_id,
      kind: r.kind,
      label: r.label,
      percent: r.percent,
      tenantId: r.tenant_id,
      dueAt: new Date(Math.round(r.due_ms)),
      eventId: r.event_id,
      createdSeq: Number(r.created_seq),
      timer: toTimerSnapshot({ ...r, id: r.timer_id }),
      recovered: r.recovered,
      timerStatus: r.timer_status,
    }));
  }

  /**
   * Records what this replica fired, in one statement: the triggers as fired, and each expiry's
   * timer as expired at its event's stream sequence unless an earlier event in the stream ended it.
   * That is the comparison `applyTerminals` makes for cancels, so which of the two lands first does
   * not matter; the projection does not receive firings (`projectionDurable`).
   */
  async markFired(fired: FiringRecord[]): Promise<void> {
    if (fired.length === 0) return;
    const expiries = fired.filter((f) => f.trigger.kind === 'expire');
    await sql`
      with marked as (${markFiredStatement(fired.map((f) => f.trigger), fired.map((f) => f.firedAt))} returning 1)
      update scheduler.timers tm
         set status = 'expired', terminal_seq = v.seq, expired_at = v.fired_at, cancelled_at = null, cancel_reason = null
        from unnest(${expiries.map((f) => f.trigger.timerId)}::text[], ${expiries.map((f) => f.seq)}::bigint[], ${expiries.map((f) => f.firedAt)}::timestamptz[]) as v(id, seq, fired_at)
       where tm.id = v.id and (tm.terminal_seq is null or tm.terminal_seq > v.seq)`.execute(this.db);
  }

  /**
   * Records as cancelled the triggers this owner held and will not fire, their timer having been
   * cancelled. A cancel projected while a replica holds a trigger leaves it to that replica, which
   * alone knows whether it published it (see `TimersRepository.applyTerminals`).
   */
  async cancelHeld(owner: string, triggers: TriggerKeyParts[]): Promise<void> {
    if (triggers.length === 0) return;
    const keys = keyColumns(triggers);
    await sql`
      update scheduler.triggers t
         set state = ${TRIGGER_STATE.cancelled}, lease_owner = null, lease_until = null
        from unnest(${keys.timerIds}::text[], ${keys.kinds}::text[], ${keys.labels}::text[]) as v(timer_id, kind, label)
       where t.timer_id = v.timer_id and t.kind = v.kind and t.label = v.label
         and t.lease_owner = ${owner} and t.state = ${PENDING}`.execute(this.db);
  }

  /**
   * On a clean shutdown, hands this owner's claims back at once instead of letting the lease run
   * out. `keep`: triggers whose event may be in the stream (published, their record maybe not
   * landed; or tried). They are claimable at once too, but keep their owner, so whoever claims them
   * next knows they may be out (`recovered`) and publishes them again, which deduplication answers
   * with the original event; and a cancel projected meanwhile leaves them to that claimer.
   */
  async releaseLeases(owner: string, keep: TriggerKeyParts[] = []): Promise<void> {
    const keys = keyColumns(keep);
    await sql`
      with keep as (
        select * from unnest(${keys.timerIds}::text[], ${keys.kinds}::text[], ${keys.labels}::text[]) as k(timer_id, kind, label)
      ), kept as (
        update scheduler.triggers t
           set lease_until = least(t.lease_until, now())
          from keep k
         where k.timer_id = t.timer_id and k.kind = t.kind and k.label = t.label
           and t.lease_owner = ${owner} and t.state = ${PENDING}
        returning 1
      )
      update scheduler.triggers t
         set lease_owner = null, lease_until = null
       where t.lease_owner = ${owner} and t.state = ${PENDING}
         and not exists (select 1 from keep k where k.timer_id = t.timer_id and k.kind = t.kind and k.label = t.label)`.execute(this.db);
  }

  async nextDueAt(): Promise<Date | null> {
    const row = await this.db
      .selectFrom('scheduler.triggers')
      .select('due_at')
      .where('state', '=', PENDING)
      .orderBy('due_at')
      .limit(1)
      .executeTakeFirst();
    return row ? new Date(row.due_at) : null;
  }

  async countPending(): Promise<number> {
    const row = await this.db
      .selectFrom('scheduler.triggers')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('state', '=', PENDING)
      .where('kind', '=', 'expire')
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}
