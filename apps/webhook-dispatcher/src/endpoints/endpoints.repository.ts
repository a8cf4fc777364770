import { Inject, Injectable } from '@nestjs/common';
import { Insertable, Selectable, sql, Transaction, Updateable } from 'kysely';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { DISPATCHER_DATABASE, DispatcherDatabase, DispatcherDB, EndpointsTable } from '../database/dispatcher-database.type';

export type EndpointRow = Selectable<EndpointsTable>;
type Trx = Transaction<DispatcherDB>;

@Injectable()
export class EndpointsRepository {
  /**
   * Enabled endpoints per tenant, read for every batch of timer events: cached for
   * ENDPOINT_CACHE_MS, and dropped at once by every change made through this repository, so this
   * replica sees its own changes immediately and other replicas within the cache time.
   */
  private readonly enabled = new Map<string, { loadedAt: number; rows: Promise<EndpointRow[]> }>();

  constructor(
    @Inject(DISPATCHER_DATABASE) private readonly db: DispatcherDatabase,
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
  ) {}

  transaction<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  /** Inserts unless the tenant already has `limit` endpoints; the count and insert are one statement. */
  async insertWithinLimit(row: Insertable<EndpointsTable>, limit: number): Promise<EndpointRow | undefined> {
    return this.changing(row.tenant_id, async () => this.db.transaction().execute(async (trx) => {
      // Serialises creations per tenant, so two concurrent ones cannot both pass the limit.
      await sql`select pg_advisory_xact_lock(hashtext(${`endpoints:${row.tenant_id}`}))`.execute(trx);
      const { count } = await trx
        .selectFrom('dispatcher.endpoints')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .where('tenant_id', '=', row.tenant_id)
        .where('deleted_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (Number(count) >= limit) return undefined;
      return trx.insertInto('dispatcher.endpoints').values(row).returningAll().executeTakeFirstOrThrow();
    }));
  }

  async find(tenantId: string, id: string): Promise<EndpointRow | undefined> {
    return this.db
      .selectFrom('dispatcher.endpoints')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
  }

  async findById(id: string): Promise<EndpointRow | undefined> {
    return this.db.selectFrom('dispatcher.endpoints').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Oldest first. Ids are ULIDs, so ordering and paging by id is ordering by creation. */
  async list(tenantId: string, limit: number, afterId?: string): Promise<EndpointRow[]> {
    let query = this.db.selectFrom('dispatcher.endpoints').selectAll().where('tenant_id', '=', tenantId).where('deleted_at', 'is', null);
    if (afterId) query = query.where('id', '>', afterId);
    return query.orderBy('id').limit(limit).execute();
  }

  /** listEnabled through the cache (see `enabled`). */
  enabledFor(tenantId: string): Promise<EndpointRow[]> {
    const now = Date.now();
    const hit = this.enabled.get(tenantId);
    if (hit && now - hit.loadedAt < this.config.ENDPOINT_CACHE_MS) return hit.rows;
    const rows = this.listEnabled(this.db, tenantId);
    this.enabled.set(tenantId, { loadedAt: now, rows });
    rows.catch(() => this.enabled.get(tenantId)?.rows === rows && this.enabled.delete(tenantId));
    if (this.enabled.size > 10_000) this.enabled.delete(this.enabled.keys().next().value!);
    return rows;
  }

  private changed(tenantId: string): void {
    this.enabled.delete(tenantId);
  }

  /** Runs a change, then drops the tenant's cached endpoints (after, so no reload sees the old rows). */
  private async changing<T>(tenantId: string, change: () => Promise<T>): Promise<T> {
    try {
      return await change();
    } finally {
      this.changed(tenantId);
    }
  }

  /** The endpoints an event of this tenant may go to (filters are matched by the caller). */
  async listEnabled(trx: Trx | DispatcherDatabase, tenantId: string): Promise<EndpointRow[]> {
    return trx
      .selectFrom('dispatcher.endpoints')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('enabled', '=', true)
      .where('deleted_at', 'is', null)
      .execute();
  }

  async update(tenantId: string, id: string, changes: Updateable<EndpointsTable>): Promise<EndpointRow | undefined> {
    return this.changing(tenantId, () =>
      this.db
        .updateTable('dispatcher.endpoints')
        .set({ ...changes, updated_at: new Date() })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .returningAll()
        .executeTakeFirst(),
    );
  }

  async rotateSecret(tenantId: string, id: string, sealed: string, previousExpiresAt: Date): Promise<EndpointRow | undefined> {
    return this.changing(tenantId, () =>
      this.db
        .updateTable('dispatcher.endpoints')
        .set((eb) => ({
          previous_secret_sealed: eb.ref('secret_sealed'),
          previous_secret_expires_at: previousExpiresAt,
          secret_sealed: sealed,
          updated_at: new Date(),
        }))
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .returningAll()
        .executeTakeFirst(),
    );
  }

  /** Soft delete; its undelivered deliveries become dead letters (kept, replayable elsewhere). */
  async softDelete(tenantId: string, id: string): Promise<{ deleted: boolean; deadLettered: number }> {
    return this.changing(tenantId, () => this.db.transaction().execute(async (trx) => {
      const deleted = await trx
        .updateTable('dispatcher.endpoints')
        .set({ deleted_at: new Date(), enabled: false })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (Number(deleted.numUpdatedRows) === 0) return { deleted: false, deadLettered: 0 };
      const dead = await trx
        .updateTable('dispatcher.deliveries')
        .set({ status: 'dead', last_error: 'endpoint deleted', completed_at: new Date(), next_attempt_at: null })
        .where('endpoint_id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return { deleted: true, deadLettered: Number(dead.numUpdatedRows) };
    }));
  }

  /**
   * Counts an attempt's outcome toward the endpoint's health. Returns the health it moved to,
   * if it changed (failing, or disabled), so the caller can tell the tenant.
   */
  async recordOutcome(
    id: string,
    outcome: { ok: boolean; gone: boolean },
    thresholds: { failingAfter: number; disableAfter: number },
  ): Promise<{ row: EndpointRow; changedTo: 'failing' | 'disabled' | 'healthy' | null } | undefined> {
    const before = await this.findById(id);
    if (!before) return undefined;
    const failures = outcome.ok ? 0 : before.consecutive_failures + 1;
    const disable = !outcome.ok && (outcome.gone || failures >= thresholds.disableAfter);
    const health = outcome.ok ? 'healthy' : disable ? 'disabled' : failures >= thresholds.failingAfter ? 'failing' : before.health;
    const row = await this.db
      .updateTable('dispatcher.endpoints')
      .set({
        consecutive_failures: failures,
        health,
        ...(disable
          ? {
              enabled: false,
              disabled_reason: outcome.gone
                ? 'the receiver answered 410 Gone'
                : `disabled after ${failures} consecutive failed attempts`,
            }
          : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .where('enabled', '=', true)
      .returningAll()
      .executeTakeFirst();
    if (!row) return { row: before, changedTo: null };
    if (disable) this.changed(row.tenant_id);
    return { row, changedTo: row.health !== before.health ? row.health : null };
  }
}
