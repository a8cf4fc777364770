import { Inject, Injectable } from '@nestjs/common';
import { Insertable, Selectable, sql, Transaction } from 'kysely';
import { TimerSpec } from '@minoots/contracts';
import {
  DeliveriesTable,
  DeliveryAttemptsTable,
  DISPATCHER_DATABASE,
  DispatcherDatabase,
  DispatcherDB,
  TimerSnapshotsTable,
} from '../database/dispatcher-database.type';

export type DeliveryRow = Selectable<DeliveriesTable>;
export type TimerSnapshotRow = Selectable<TimerSnapshotsTable>;
type Trx = Transaction<DispatcherDB>;

@Injectable()
export class DeliveriesRepository {
  constructor(@Inject(DISPATCHER_DATABASE) private readonly db: DispatcherDatabase) {}

  transaction<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  async insertSnapshots(trx: Trx, snapshots: { tenantId: string; spec: TimerSpec }[]): Promise<void> {
    if (snapshots.length === 0) return;
    await trx
      .insertInto('dispatcher.timer_snapshots')
      .values(snapshots.map((s) => ({ id: s.spec.id, tenant_id: s.tenantId, spec: JSON.stringify(s.spec), status: 'pending' as const })))
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  async findSnapshots(trx: Trx, timerIds: string[]): Promise<TimerSnapshotRow[]> {
    if (timerIds.length === 0) return [];
    return trx.selectFrom('dispatcher.timer_snapshots').selectAll().where('id', 'in', timerIds).execute();
  }

  /** Applies terminal outcomes decided in stream order by the (single) intake, in one statement. */
  async endTimers(trx: Trx, changes: { timerId: string; seq: number; status: 'expired' | 'cancelled'; at: string; reason: string | null }[]): Promise<void> {
    if (changes.length === 0) return;
    const rows = changes.map((c) => sql`(${c.timerId}, ${c.seq}::bigint, ${c.status}, ${c.at}::timestamptz, ${c.reason})`);
    await sql`
      update dispatcher.timer_snapshots s
         set status = v.status, terminal_seq = v.seq, ended_at = v.ended_at, cancel_reason = v.reason
        from (values ${sql.join(rows)}) as v(id, seq, status, ended_at, reason)
       where s.id = v.id and (s.terminal_seq is null or s.terminal_seq > v.seq)`.execute(trx);
  }

  /** Inserts the deliveries that do not exist yet and returns only those (the rest were planned before). */
  async insertDeliveries(trx: Trx, rows: Insertable<DeliveriesTable>[]): Promise<DeliveryRow[]> {
    if (rows.length === 0) return [];
    // Only the ids come back (not the payloads we just sent): the rows are rebuilt from what we have.
    const inserted = await trx
      .insertInto('dispatcher.deliveries')
      .values(rows)
      .onConflict((oc) => oc.columns(['event_id', 'target']).doNothing())
      .returning(['id', 'created_at'])
      .execute();
    const createdAt = new Map(inserted.map((r) => [r.id, r.created_at]));
    return rows
      .filter((row) => createdAt.has(row.id))
      .map((row) => ({ attempt_count: 0, rate_limited_count: 0, last_error: null, completed_at: null, ...row, created_at: createdAt.get(row.id)! }) as DeliveryRow);
  }

  /**
   * Claims pending deliveries that are due and not leased (retries whose time has come, first
   * attempts stranded by a crash, replays) — except those of a disabled endpoint, which wait.
   */
  async claimDue(owner: string, leaseMs: number, limit: number): Promise<DeliveryRow[]> {
    const result = await sql<DeliveryRow>`
      update dispatcher.deliveries d
         set lease_owner = ${owner}, lease_until = now() + make_interval(secs => ${leaseMs / 1000})
        from (
          select dd.id from dispatcher.deliveries dd
            left join dispatcher.endpoints e on e.id = dd.endpoint_id
           where dd.status = 'pending' and dd.next_attempt_at <= now()
             and (dd.lease_until is null or dd.lease_until < now())
             and (dd.endpoint_id is null or e.enabled)
           order by dd.next_attempt_at
           limit ${limit}
           for update of dd skip locked
        ) due
       where d.id = due.id
      returning d.*`.execute(this.db);
    return result.rows;
  }

  /** Deliveries waiting to be attempted now: due or overdue, in flight included, paused endpoints' left out (as in claimDue). */
  async countDue(): Promise<number> {
    const row = await this.db
      .selectFrom('dispatcher.deliveries as d')
      .leftJoin('dispatcher.endpoints as e', 'e.id', 'd.endpoint_id')
      .select((eb) => eb.fn.countAll<string>().as('count'))
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', sql<Date>`now()`)
      .where((eb) => eb.or([eb('d.endpoint_id', 'is', null), eb('e.enabled', '=', true)]))
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  /**
   * At start-up nothing of this instance is in flight, so leases it still holds are left over
   * from a crash: free them, rather than let a delivery wait out its lease.
   */
  async releaseLeasesOf(owner: string): Promise<number> {
    const result = await this.db
      .updateTable('dispatcher.deliveries')
      .set({ lease_owner: null, lease_until: null })
      .where('lease_owner', '=', owner)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async markDead(id: string, error: string): Promise<void> {
    await this.db
      .updateTable('dispatcher.deliveries')
      .set({ status: 'dead', last_error: error, completed_at: new Date(), next_attempt_at: null, lease_owner: null, lease_until: null })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  /** Puts an attempt off without using one up (rate limit, paused endpoint). */
  async postpone(id: string, until: Date, rateLimited: boolean): Promise<void> {
    await this.db
      .updateTable('dispatcher.deliveries')
      .set((eb) => ({
        next_attempt_at: until,
        lease_owner: null,
        lease_until: null,
        rate_limited_count: rateLimited ? eb('rate_limited_count', '+', 1) : eb.ref('rate_limited_count'),
      }))
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  }

  /** Records attempts and their deliveries' new state, many at once, in one transaction. */
  async recordAttempts(records: AttemptRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('dispatcher.delivery_attempts')
        .values(records.map((r) => r.attempt))
        .onConflict((oc) => oc.columns(['delivery_id', 'attempt']).doNothing())
        .execute();
      const now = new Date();
      const rows = records.map(
        (r) =>
          sql`(${r.attempt.delivery_id}, ${r.update.status}, ${r.attempt.attempt}::int, ${r.update.nextAttemptAt}::timestamptz, ${r.update.error}, ${r.update.status === 'pending' ? null : now}::timestamptz)`,
      );
      await sql`
        update dispatcher.deliveries d
           set status = v.status, attempt_count = v.attempt, next_attempt_at = v.next_attempt_at,
               last_error = v.last_error, completed_at = v.completed_at, lease_owner = null, lease_until = null
          from (values ${sql.join(rows)}) as v(id, status, attempt, next_attempt_at, last_error, completed_at)
         where d.id = v.id`.execute(trx);
    });
  }
}

export interface AttemptRecord {
  attempt: Insertable<DeliveryAttemptsTable>;
  update: { status: DeliveriesTable['status']; nextAttemptAt: Date | null; error: string | null };
}
