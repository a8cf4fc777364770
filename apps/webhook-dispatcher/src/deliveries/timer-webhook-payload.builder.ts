import { TimerSnapshot } from '@minoots/contracts';

export type TimerWebhookEvent = 'timer_expired' | 'timer_progress' | 'timer_cancelled';

export interface TimerOutcome {
  status: 'pending' | 'expired' | 'cancelled';
  endedAt: string | null;
  reason: string | null;
}

export interface ProgressInfo {
  milestone: string;
  percent: number;
  timeRemaining: number;
}

/** The `timer` object of every timer payload (per-timer webhooks and endpoint envelopes alike). */
export function buildTimerObject(spec: TimerSnapshot, outcome: TimerOutcome): Record<string, unknown> {
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
  return timer;
}

/** The seeds' per-timer webhook body: `{event, timer{...}, message, data, progress?, reason?, timestamp}`. */
export function buildTimerWebhookPayload(
  event: TimerWebhookEvent,
  spec: TimerSnapshot,
  outcome: TimerOutcome,
  extra: { message?: string; data?: unknown; progress?: ProgressInfo; at: string },
): Record<string, unknown> {
  const timer = buildTimerObject(spec, outcome);
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
