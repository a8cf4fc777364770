import { DeliveryAttemptView, DeliveryView } from '@minoots/contracts';
import { DeliveryRow } from './deliveries.repository';
import { DeliveryAttemptRow } from './delivery-log.repository';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function toDeliveryView(row: DeliveryRow, detail?: { attempts: DeliveryAttemptRow[] }): DeliveryView {
  const view: DeliveryView = {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    timerId: row.timer_id,
    endpointId: row.endpoint_id,
    target: row.target,
    url: row.url,
    status: row.status,
    attemptCount: row.attempt_count,
    maxAttempts: row.max_attempts,
    nextAttemptAt: row.status === 'pending' ? iso(row.next_attempt_at) : null,
    lastError: row.last_error,
    rateLimitedCount: row.rate_limited_count,
    createdAt: iso(row.created_at)!,
    completedAt: iso(row.completed_at),
  };
  if (detail) {
    view.payload = JSON.parse(row.payload);
    view.attempts = detail.attempts.map(
      (a): DeliveryAttemptView => ({
        attempt: a.attempt,
        startedAt: iso(a.started_at)!,
        durationMs: a.duration_ms,
        statusCode: a.status_code,
        responseExcerpt: a.response_excerpt,
        error: a.error,
        outcome: a.outcome,
      }),
    );
  }
  return view;
}
