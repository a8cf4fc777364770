import { parseDuration } from '@minoots/duration';

/** The seeds' schedule: immediately, then after 5 s, 25 s, 125 s and 625 s. */
export const DEFAULT_RETRY_SCHEDULE = '5s,25s,125s,625s';

export function parseRetrySchedule(raw: string): number[] {
  return raw.split(',').map((part) => parseDuration(part.trim()));
}

/** Delay before attempt `attempt + 1`, after `attempt` attempts have failed (1-based). */
export function retryDelayMs(schedule: number[], attempt: number, retryAfterMs: number | null): number {
  const planned = schedule[Math.min(attempt - 1, schedule.length - 1)] ?? 0;
  // A receiver's Retry-After is honoured when it asks for longer than we would wait anyway.
  return retryAfterMs !== null ? Math.max(planned, Math.min(retryAfterMs, 24 * 3600_000)) : planned;
}
