import { newUlid as ulid } from '@minoots/contracts';
import { TimerEvents, TimerSpec } from '@minoots/contracts';
import { InvalidDurationError, InvalidMilestoneError, MAX_DURATION_MS, parseDuration, parseMilestone } from '@minoots/duration';
import { UrlPolicy } from '@minoots/url-policy';
import { ApiError } from '../http/api-error';
import { CreateTimerRequest } from './create-timer.request';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

/** V8's Date.parse rolls a day the month lacks over (2026-02-30 → 2026-03-02) instead of rejecting it. */
function isCalendarDate(text: string): boolean {
  const [year, month, day] = text.slice(0, 10).split('-').map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function resolveDuration(request: CreateTimerRequest, now: number): number {
  if (request.fireAt !== undefined) {
    const fireAt = Date.parse(request.fireAt);
    // An offset is required: without one the instant would depend on the server's time zone.
    if (Number.isNaN(fireAt) || !ISO_INSTANT.test(request.fireAt) || !isCalendarDate(request.fireAt)) {
      throw new ApiError(
        400,
        'INVALID_FIRE_AT',
        `fireAt "${request.fireAt.slice(0, 64)}" is not an ISO-8601 date-time with an offset, such as 2026-01-15T10:15:00Z or 2026-01-15T12:15:00+02:00`,
      );
    }
    if (fireAt <= now) throw new ApiError(400, 'INVALID_FIRE_AT', 'fireAt must be in the future');
    if (fireAt - now > MAX_DURATION_MS) throw new ApiError(400, 'INVALID_FIRE_AT', 'fireAt must be within 365 days');
    return fireAt - now;
  }
  try {
    return parseDuration(request.duration!);
  } catch (error) {
    if (error instanceof InvalidDurationError) throw new ApiError(400, 'INVALID_DURATION', error.message);
    throw error;
  }
}

function checkWebhook(policy: UrlPolicy, field: string, url: string): void {
  const verdict = policy.checkUrl(url);
  if (verdict.ok) return;
  if (verdict.malformed) throw new ApiError(400, 'INVALID_WEBHOOK_URL', `${field}: "${url.slice(0, 100)}" is not a URL`);
  throw new ApiError(422, 'WEBHOOK_URL_REFUSED', `${field}: ${verdict.reason}`);
}

function resolveMilestones(intervals: string[] | undefined): TimerSpec['milestones'] {
  const seen = new Map<number, string>();
  for (const label of intervals ?? []) {
    try {
      const percent = parseMilestone(label);
      if (!seen.has(percent)) seen.set(percent, label);
    } catch (error) {
      if (error instanceof InvalidMilestoneError) throw new ApiError(400, 'INVALID_INTERVAL', `events.on_progress.intervals: ${error.message}`);
      throw error;
    }
  }
  return [...seen.entries()].sort(([a], [b]) => a - b).map(([percent, label]) => ({ label, percent }));
}

/** Turns a validated create request into the immutable timer definition carried by TimerCreated. */
export function buildTimerSpec(request: CreateTimerRequest, policy: UrlPolicy, now = Date.now()): TimerSpec {
  const durationMs = resolveDuration(request, now);
  const events: TimerEvents = request.events ?? {};
  for (const [name, target] of Object.entries(events)) {
    if (target) checkWebhook(policy, `events.${name}.webhook`, target.webhook);
  }
  const createdAt = new Date(now).toISOString();
  return {
    id: `timer_${ulid(now).toLowerCase()}`,
    name: request.name,
    agentId: request.agentId ?? null,
    durationMs,
    startAt: createdAt,
    fireAt: new Date(now + durationMs).toISOString(),
    milestones: resolveMilestones(events.on_progress?.intervals),
    events,
    metadata: request.metadata ?? null,
    createdAt,
  };
}
