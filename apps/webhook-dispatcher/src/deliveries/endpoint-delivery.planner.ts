import { TimerEvent, TimerSnapshot } from '@minoots/contracts';
import { matchesEventTypes } from '../endpoints/event-type-filter.util';
import { buildTimerObject, ProgressInfo, TimerOutcome } from './timer-webhook-payload.builder';

export interface EnvelopeEvent {
  id: string;
  type: string;
  timestamp: string;
  tenantId: string;
}

export interface EndpointTarget {
  id: string;
  name: string;
  url: string;
  eventTypes: string[];
  maxAttempts: number;
}

/** What fan-out needs of an endpoint's row. */
export function toEndpointTarget(row: { id: string; name: string; url: string; event_types: string[]; max_attempts: number }): EndpointTarget {
  return { id: row.id, name: row.name, url: row.url, eventTypes: row.event_types, maxAttempts: row.max_attempts };
}

export interface PlannedEndpointDelivery {
  endpoint: EndpointTarget;
  eventType: string;
  payload: Record<string, unknown>;
}

export function progressInfo(event: Extract<TimerEvent, { type: 'timer.progress' }>, spec: TimerSnapshot): ProgressInfo {
  return {
    milestone: event.data.milestone,
    percent: event.data.percent,
    timeRemaining: Math.max(0, Date.parse(spec.fireAt) - Date.parse(event.data.dueAt)),
  };
}

/** When the thing an event reports happened (not when it was processed). */
export function timerEventTime(event: TimerEvent): string {
  switch (event.type) {
    case 'timer.created':
      return event.data.timer.createdAt;
    case 'timer.progress':
    case 'timer.expired':
      return event.data.firedAt;
    case 'timer.cancelled':
      return event.data.cancelledAt;
  }
}

/** What an endpoint receives as `event.payload` for a timer event. */
export function timerEventPayload(event: TimerEvent, spec: TimerSnapshot, outcome: TimerOutcome): Record<string, unknown> {
  const payload: Record<string, unknown> = { timer: buildTimerObject(spec, outcome) };
  if (event.type === 'timer.progress') payload.progress = progressInfo(event, spec);
  if (event.type === 'timer.cancelled') payload.reason = event.data.reason;
  return payload;
}

/** The registered-endpoint body: `{event: {id, type, timestamp, tenantId, source, payload}, webhook: {id, name}}`. */
export function buildEndpointEnvelope(event: EnvelopeEvent, payload: unknown, endpoint: { id: string; name: string }) {
  return {
    event: { id: event.id, type: event.type, timestamp: event.timestamp, tenantId: event.tenantId, source: 'minoots', payload },
    webhook: { id: endpoint.id, name: endpoint.name },
  };
}

/** One delivery per endpoint whose event-type filter matches. */
export function planEndpointDeliveries(event: EnvelopeEvent, payload: unknown, endpoints: EndpointTarget[]): PlannedEndpointDelivery[] {
  return endpoints
    .filter((endpoint) => matchesEventTypes(endpoint.eventTypes, event.type))
    .map((endpoint) => ({ endpoint, eventType: event.type, payload: buildEndpointEnvelope(event, payload, endpoint) }));
}
