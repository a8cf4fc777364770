import { Insertable, Selectable } from 'kysely';
import { deterministicUlid, newUlid as ulid } from '@minoots/contracts';
import { DeliveriesTable } from '../database/dispatcher-database.type';

export interface NewDelivery {
  tenantId: string;
  eventId: string;
  eventType: string;
  timerId: string | null;
  /** `on_expire` / `on_progress` / `on_cancel` for a timer's own webhook, else the endpoint id. */
  target: string;
  endpointId: string | null;
  url: string;
  payload: unknown;
  maxAttempts: number;
  /**
   * When set, the id is derived from (event, target) and this time, so an event redelivered after
   * a crash yields the same delivery id: the receiver sees one delivery, perhaps attempted twice.
   */
  eventTimeMs?: number;
  /** Leased to the replica that attempts it right away (the sweeper leaves it alone); else the sweeper's. */
  lease?: { owner: string; until: Date };
}

/** A delivery as planned, before it is written; dated when it was planned. */
export type NewDeliveryRow = Insertable<DeliveriesTable> & { id: string; created_at: Date };

export function newDeliveryRow(d: NewDelivery): NewDeliveryRow {
  // When it was planned, not when it was written: a new delivery is written after its first attempt.
  const now = new Date();
  return {
    id: `dlv_${d.eventTimeMs === undefined ? ulid() : deterministicUlid(d.eventTimeMs, `${d.eventId}\u0000${d.target}`)}`,
    tenant_id: d.tenantId,
    event_id: d.eventId,
    event_type: d.eventType,
    timer_id: d.timerId,
    target: d.target,
    endpoint_id: d.endpointId,
    url: d.url,
    payload: JSON.stringify(d.payload),
    status: 'pending',
    max_attempts: d.maxAttempts,
    next_attempt_at: now,
    created_at: now,
    lease_owner: d.lease?.owner ?? null,
    lease_until: d.lease?.until ?? null,
  };
}

/** A delivery as read back, from the row we insert (defaults filled in as the table fills them). */
export function asDeliveryRow(row: NewDeliveryRow): Selectable<DeliveriesTable> {
  return { attempt_count: 0, rate_limited_count: 0, last_error: null, completed_at: null, ...row } as Selectable<DeliveriesTable>;
}
