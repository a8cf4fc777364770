import { Inject, Injectable } from '@nestjs/common';
import { Selectable, sql } from 'kysely';
import { DeliveryAttemptsTable, DeliveryStatus, DISPATCHER_DATABASE, DispatcherDatabase } from '../database/dispatcher-database.type';
import { DeliveryRow } from './deliveries.repository';

export type DeliveryAttemptRow = Selectable<DeliveryAttemptsTable>;

export interface DeliveryFilter {
  tenantId: string;
  endpointId?: string;
  timerId?: string;
  status?: DeliveryStatus;
  eventType?: string;
  from?: Date;
  to?: Date;
  limit: number;
  beforeId?: string;
}

/** Reads of the delivery log, and the replays that put dead letters back in line. */
@Injectable()
export class DeliveryLogRepository {
  constructor(@Inject(DISPATCHER_DATABASE) private readonly db: DispatcherDatabase) {}

  async list(filter: DeliveryFilter): Promise<DeliveryRow[]> {
    let query = this.db.selectFrom('dispatcher.deliveries').selectAll().where('tenant_id', '=', filter.tenantId);
    if (filter.endpointId) query = query.where('endpoint_id', '=', filter.endpointId);
    if (filter.timerId) query = query.where('timer_id', '=', filter.timerId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.eventType) query = query.where('event_type', '=', filter.eventType);
    if (filter.from) query = query.where('created_at', '>=', filter.from);
    if (filter.to) query = query.where('created_at', '<', filter.to);
    if (filter.beforeId) query = query.where('id', '<', filter.beforeId);
    // Newest first; ids are ULIDs, so id order is creation order.
    return query.orderBy('id', 'desc').limit(filter.limit).execute();
  }

  async find(tenantId: string, id: string): Promise<DeliveryRow | undefined> {
    return this.db.selectFrom('dispatcher.deliveries').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  }

  async attempts(deliveryId: string): Promise<DeliveryAttemptRow[]> {
    return this.db.selectFrom('dispatcher.delivery_attempts').selectAll().where('delivery_id', '=', deliveryId).orderBy('attempt').execute();
  }

  /**
   * Puts finished deliveries back in line under the same id, with as many attempts again as their
   * endpoint allows (`defaultAttempts` for a timer's own webhooks), leased to `owner` so it can
   * attempt them at once. Pending ones are left as they are.
   */
  async replay(ids: string[], owner: string, leaseMs: number, defaultAttempts: number): Promise<DeliveryRow[]> {
    if (ids.length === 0) return [];
    const result = await sql<DeliveryRow>`
      update dispatcher.deliveries d
         set status = 'pending',
             max_attempts = d.attempt_count + coalesce(e.max_attempts, ${defaultAttempts}),
             next_attempt_at = now(),
             completed_at = null,
             lease_owner = ${owner},
             lease_until = now() + make_interval(secs => ${leaseMs / 1000})
        from dispatcher.deliveries src
        left join dispatcher.endpoints e on e.id = src.endpoint_id
       where d.id = src.id and d.id = any(${ids}) and d.status <> 'pending'
      returning d.*`.execute(this.db);
    return result.rows;
  }

  async deadIds(tenantId: string, endpointId: string, from?: Date, to?: Date): Promise<string[]> {
    let query = this.db
      .selectFrom('dispatcher.deliveries')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where('endpoint_id', '=', endpointId)
      .where('status', '=', 'dead');
    if (from) query = query.where('created_at', '>=', from);
    if (to) query = query.where('created_at', '<', to);
    return (await query.orderBy('created_at').limit(10_000).execute()).map((r) => r.id);
  }

  async endpointStats(endpointId: string, since: Date) {
    const deliveries = await this.db
      .selectFrom('dispatcher.deliveries')
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        sql<number>`count(*) filter (where status = 'succeeded')`.as('succeeded'),
        sql<number>`count(*) filter (where status = 'dead')`.as('dead'),
        sql<number>`count(*) filter (where status = 'pending')`.as('pending'),
        sql<number>`count(*) filter (where attempt_count > 1)`.as('retried'),
        sql<number>`count(*) filter (where attempt_count >= 1)`.as('attempted'),
        sql<number>`coalesce(sum(rate_limited_count), 0)`.as('rate_limit_hits'),
      ])
      .where('endpoint_id', '=', endpointId)
      .where('created_at', '>=', since)
      .executeTakeFirstOrThrow();
    const attempts = await this.db
      .selectFrom('dispatcher.delivery_attempts as a')
      .innerJoin('dispatcher.deliveries as d', 'd.id', 'a.delivery_id')
      .select((eb) => [
        eb.fn.countAll<number>().as('total'),
        sql<number>`count(*) filter (where a.outcome = 'succeeded')`.as('succeeded'),
        sql<number | null>`avg(a.duration_ms)`.as('average'),
        sql<number | null>`percentile_cont(0.95) within group (order by a.duration_ms)`.as('p95'),
      ])
      .where('d.endpoint_id', '=', endpointId)
      .where('a.started_at', '>=', since)
      .executeTakeFirstOrThrow();
    const errors = await this.db
      .selectFrom('dispatcher.delivery_attempts as a')
      .innerJoin('dispatcher.deliveries as d', 'd.id', 'a.delivery_id')
      .select([
        sql<string>`case
          when a.status_code is null and a.error like 'timed out%' then 'timeout'
          when a.status_code is null and a.error like 'target refused%' then 'refused_by_policy'
          when a.status_code is null then 'connection'
          when a.status_code = 429 then 'http_429'
          when a.status_code = 410 then 'http_410'
          when a.status_code >= 500 then 'http_5xx'
          when a.status_code >= 400 then 'http_4xx'
          else 'other' end`.as('kind'),
        (eb) => eb.fn.countAll<number>().as('count'),
      ])
      .where('d.endpoint_id', '=', endpointId)
      .where('a.started_at', '>=', since)
      .where('a.outcome', '=', 'failed')
      .groupBy('kind')
      .execute();
    return { deliveries, attempts, errors };
  }
}
