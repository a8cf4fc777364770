import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { SCHEDULER_DATABASE, SchedulerDatabase, TRIGGER_STATE, TriggerKind } from '../database/scheduler-database.type';

export interface ClaimedTrigger {
  timerId: string;
  kind: TriggerKind;
  label: string;
  percent: number | null;
  tenantId: string;
  dueAt: Date;
  eventId: string;
}

export function triggerKey(t: Pick<ClaimedTrigger, 'timerId' | 'kind' | 'label'>): string {
  return `${t.timerId}\u0000${t.kind}\u0000${t.label}`;
}

@Injectable()
export class TriggersRepository {
  constructor(@Inject(SCHEDULER_DATABASE) private readonly db: SchedulerDatabase) {}

  /**
   * Leases pending triggers due before `horizon` to `owner`. SKIP LOCKED lets replicas claim
   * concurrently without waiting on each other; the lease keeps a claimed trigger from being
   * claimed again until it runs out (a replica that died), or by its own owner after a restart.
   */
  async claimDue(owner: string, horizon: Date, leaseMs: number, limit: number): Promise<ClaimedTrigger[]> {
    const result = await sql<{
      timer_id: string;
      kind: TriggerKind;
      label: string;
      percent: number | null;
      tenant_id: string;
      due_at: Date;
      event_id: string;
    }>`
      update scheduler.triggers t
         set lease_owner = ${owner},
             lease_until = now() + make_interval(secs => ${leaseMs / 1000})
        from (
          select timer_id, kind, label
            from scheduler.triggers
           where state = ${TRIGGER_STATE.pending}
             and due_at <= ${horizon}
             and (lease_until is null or lease_until < now() or lease_owner = ${owner})
           order by due_at
           limit ${limit}
           for update skip locked
        ) due
       where t.timer_id = due.timer_id and t.kind = due.kind and t.label = due.label
      returning t.timer_id, t.kind, t.label, t.percent, t.tenant_id, t.due_at, t.event_id`.execute(this.db);
    return result.rows.map((r) => ({
      timerId: r.timer_id,
      kind: r.kind,
      label: r.label,
      percent: r.percent,
      tenantId: r.tenant_id,
      dueAt: r.due_at,
      eventId: r.event_id,
    }));
  }

  async markFired(triggers: ClaimedTrigger[], firedAt: Date): Promise<void> {
    if (triggers.length === 0) return;
    // A join on arrays: a row-value IN list of thousands of keys is planned as a chain of ORs,
    // which kept one Postgres backend busy for seconds per burst.
    await sql`
      update scheduler.triggers t
         set state = ${TRIGGER_STATE.fired}, fired_at = ${firedAt}, lease_owner = null, lease_until = null
        from unnest(${triggers.map((x) => x.timerId)}::text[], ${triggers.map((x) => x.kind)}::text[], ${triggers.map((x) => x.label)}::text[])
             as v(timer_id, kind, label)
       where t.timer_id = v.timer_id and t.kind = v.kind and t.label = v.label
         and t.state = ${TRIGGER_STATE.pending}`.execute(this.db);
  }

  /** On a clean shutdown, hand unfired claims back at once instead of letting the lease run out. */
  async releaseLeases(owner: string): Promise<void> {
    await this.db
      .updateTable('scheduler.triggers')
      .set({ lease_owner: null, lease_until: null })
      .where('lease_owner', '=', owner)
      .where('state', '=', TRIGGER_STATE.pending)
      .execute();
  }

  async nextDueAt(): Promise<Date | null> {
    const row = await this.db
      .selectFrom('scheduler.triggers')
      .select('due_at')
      .where('state', '=', TRIGGER_STATE.pending)
      .orderBy('due_at')
      .limit(1)
      .executeTakeFirst();
    return row ? new Date(row.due_at) : null;
  }

  async countPending(): Promise<number> {
    const row = await this.db
      .selectFrom('scheduler.triggers')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('state', '=', TRIGGER_STATE.pending)
      .where('kind', '=', 'expire')
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }
}
