import { TimerSpec } from '@minoots/contracts';

export type TimerWebhookEvent = 'timer_expired' | 'timer_progress' | 'timer_cancelled';

export interface TimerOutcome {
  status: 'pending' | 'expired' | 'cancelled';
  endedAt: string | null;
  reason: string | null;
}

/** The seeds' per-timer webhook body: `{event, timer{...}, message, data, progress?, reason?, timestamp}`. */
export function buildTimerWebhookPayload(
  event: TimerWebhookEvent,
  spec: TimerSpec,
  outcome: TimerOutcome,
  extra: { message?: string; data?: unknown; progress?: { milestone: string; percent: number; timeRemaining: number }; at: string },
): Record<string, unknown> {
  const timer: Record<string, unknown> = {
    id: spec.id,
    name: spec.name,
    status: outcome.status,
    agentId: spec.agentId,
    duration: spec.durationMs,
    startTime: spec.startAt,
    endTime: spec.fireAt,
    createdAt: spec.createdAt,
    events: spec.events,
    metadata: spec.metadata,
  };
  if (outcome.status === 'expired') timer.expiredAt = outcome.endedAt;
  if (outcome.status === 'cancelled') {
    timer.cancelledAt = outcome.endedAt;
    timer.reason = outcome.reason;
  }
  const payload: Record<string, unknown> = {
    event,
    timer,
    message: extra.message ?? null,
    data: extra.data ?? null,
  };
  if (extra.progress) payload.progress = extra.progress;
  if (event === 'timer_cancelled') payload.reason = outcome.reason;
  payload.timestamp = extra.at;
  return payload;
}
