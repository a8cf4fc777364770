import { newUlid as ulid } from '../ids/new-id.util';
import { EVENT_REGISTRY, EventOf, EventType } from './event-registry.constants';

/** Builds a well-formed envelope. Pass `id` when the event must be deterministic (re-publish after a crash). */
export function createEvent<T extends EventType>(
  type: T,
  fields: { tenantId: string; aggregateId: string; data: EventOf<T>['data']; id?: string; occurredAt?: Date },
): EventOf<T> {
  return {
    id: fields.id ?? `evt_${ulid()}`,
    type,
    version: EVENT_REGISTRY[type].version,
    occurredAt: (fields.occurredAt ?? new Date()).toISOString(),
    tenantId: fields.tenantId,
    aggregateId: fields.aggregateId,
    data: fields.data,
  } as EventOf<T>;
}
