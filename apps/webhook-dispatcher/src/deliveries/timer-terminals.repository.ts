import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { DISPATCHER_DATABASE, DispatcherDatabase, TerminalStatus } from '../database/dispatcher-database.type';

export interface TerminalClaim {
  timerId: string;
  seq: number;
  status: TerminalStatus;
  endedAt: string;
}

/**
 * `insert … on conflict` of terminal claims, keeping each timer's lowest sequence. The update always
 * runs, so RETURNING names the terminal that stands for every claim, even one another transaction
 * committed meanwhile. At most one claim per timer (Postgres refuses to update a row twice).
 */
export function recordTerminals(claims: TerminalClaim[]) {
  return sql`
    insert into dispatcher.timer_terminals as t (timer_id, seq, status, ended_at)
    select * from unnest(${claims.map((c) => c.timerId)}::text[], ${claims.map((c) => c.seq)}::bigint[],
                         ${claims.map((c) => c.status)}::text[], ${claims.map((c) => c.endedAt)}::timestamptz[])
    on conflict (timer_id) do update
      set seq = least(t.seq, excluded.seq),
          status = case when excluded.seq < t.seq then excluded.status else t.status end,
          ended_at = case when excluded.seq < t.seq then excluded.ended_at else t.ended_at end`;
}

/**
 * The first claim of each timer (what one statement of `recordTerminals` may take), in timer id
 * order: the delivery writer and `settle` may record terminals of the same timers at once, and
 * rows locked in one order cannot deadlock.
 */
export function earliestClaims(claims: TerminalClaim[]): TerminalClaim[] {
  const earliest = new Map<string, TerminalClaim>();
  for (const claim of claims) {
    const known = earliest.get(claim.timerId);
    if (!known || claim.seq < known.seq) earliest.set(claim.timerId, claim);
  }
  return [...earliest.values()].sort((a, b) => (a.timerId < b.timerId ? -1 : a.timerId > b.timerId ? 1 : 0));
}

export interface SettledTerminal {
  seq: number;
  status: TerminalStatus;
}

@Injectable()
export class TimerTerminalsRepository {
  constructor(@Inject(DISPATCHER_DATABASE) private readonly db: DispatcherDatabase) {}

  /**
   * Records each claim unless an earlier terminal event of that timer is already recorded, and
   * returns, for every timer in `claims` or `alsoCheck`, the terminal that stands (lowest stream
   * sequence). Asked only for timers the intake's ledger cannot vouch for (created before its term).
   */
  async settle(claims: TerminalClaim[], alsoCheck: string[]): Promise<Map<string, SettledTerminal>> {
    const settled = new Map<string, SettledTerminal>();
    const ids = [...new Set([...claims.map((c) => c.timerId), ...alsoCheck])];
    if (ids.length === 0) return settled;
    const result = await sql<{ timer_id: string; seq: string; status: TerminalStatus }>`
      with ins as (${recordTerminals(earliestClaims(claims))} returning timer_id, seq, status)
      select timer_id, seq, status from ins
      union all
      select t.timer_id, t.seq, t.status from dispatcher.timer_terminals t
       where t.timer_id = any(${ids}::text[]) and not exists (select 1 from ins where ins.timer_id = t.timer_id)`.execute(this.db);
    for (const row of result.rows) settled.set(row.timer_id, { seq: Number(row.seq), status: row.status });
    return settled;
  }

  /**
   * Forgets terminals recorded before `before`. A terminal only matters while a competing event
   * for the same timer can still arrive: a cancel and an expiry published within a firing lease
   * of each other, so days of retention is ample.
   */
  async prune(before: Date, limit: number): Promise<number> {
    const result = await sql`
      delete from dispatcher.timer_terminals
       where timer_id in (select timer_id from dispatcher.timer_terminals where recorded_at < ${before} limit ${limit})`.execute(this.db);
    return Number(result.numAffectedRows ?? 0);
  }
}
