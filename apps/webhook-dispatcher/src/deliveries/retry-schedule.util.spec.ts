import { DEFAULT_RETRY_SCHEDULE, parseRetrySchedule, retryDelayMs } from './retry-schedule.util';
import { parseRetryAfter } from './webhook-http.client';

const DAY_MS = 24 * 3600_000;

describe('parseRetrySchedule', () => {
  it('parses the default schedule to 5 s, 25 s, 125 s and 625 s', () => {
    expect(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE)).toEqual([5_000, 25_000, 125_000, 625_000]);
  });

  it('accepts spaces around entries and mixed units', () => {
    expect(parseRetrySchedule(' 500ms , 1m30s,2h ')).toEqual([500, 90_000, 7_200_000]);
  });

  it.each(['5s,,25s', '5s,soon', ''])('rejects a malformed schedule %j', (raw) => {
    expect(() => parseRetrySchedule(raw)).toThrow();
  });
});

describe('retryDelayMs', () => {
  const schedule = parseRetrySchedule(DEFAULT_RETRY_SCHEDULE);

  it('waits the scheduled delay after each failed attempt', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(schedule, attempt, null))).toEqual([5_000, 25_000, 125_000, 625_000]);
  });

  it('keeps using the last entry for attempts beyond the schedule', () => {
    expect(retryDelayMs(schedule, 5, null)).toBe(625_000);
    expect(retryDelayMs(schedule, 50, null)).toBe(625_000);
  });

  it('keeps the planned delay when Retry-After asks for less', () => {
    expect(retryDelayMs(schedule, 2, 1_000)).toBe(25_000);
    expect(retryDelayMs(schedule, 2, 0)).toBe(25_000);
  });

  it('honours a Retry-After longer than planned', () => {
    expect(retryDelayMs(schedule, 1, 25_001)).toBe(25_001);
    expect(retryDelayMs(schedule, 4, 3_600_000)).toBe(3_600_000);
  });

  it('caps Retry-After at 24 hours', () => {
    expect(retryDelayMs(schedule, 1, DAY_MS)).toBe(DAY_MS);
    expect(retryDelayMs(schedule, 1, DAY_MS + 1)).toBe(DAY_MS);
    expect(retryDelayMs(schedule, 1, 10 * 365 * DAY_MS)).toBe(DAY_MS);
  });

  it('combines with parseRetryAfter end to end', () => {
    expect(retryDelayMs(schedule, 1, parseRetryAfter('3'))).toBe(5_000);
    expect(retryDelayMs(schedule, 1, parseRetryAfter('120'))).toBe(120_000);
    expect(retryDelayMs(schedule, 1, parseRetryAfter('999999999'))).toBe(DAY_MS);
    expect(retryDelayMs(schedule, 1, parseRetryAfter('whenever'))).toBe(5_000);
  });
});

describe('parseRetryAfter', () => {
  const NOW = Date.parse('2026-01-01T00:00:00.000Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120', NOW)).toBe(120_000);
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter(' 30 ', NOW)).toBe(30_000);
  });

  it('takes the first of repeated headers', () => {
    expect(parseRetryAfter(['7', '100'], NOW)).toBe(7_000);
  });

  it.each([
    ['IMF-fixdate', 'Thu, 01 Jan 2026 00:02:00 GMT', 120_000],
    ['obsolete RFC 850 date', 'Thursday, 01-Jan-26 00:00:45 GMT', 45_000],
    ['obsolete asctime date (UTC by definition)', 'Thu Jan  1 00:01:00 2026', 60_000],
  ])('reads an HTTP-date in %s form relative to now', (_form, value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it('reads a date in the past as no wait', () => {
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', NOW)).toBe(0);
  });

  it('defaults now to the current time', () => {
    jest.useFakeTimers({ now: NOW });
    try {
      expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT')).toBe(10_000);
    } finally {
      jest.useRealTimers();
    }
  });

  it.each([undefined, '', [] as string[]])('returns null for a missing header (%j)', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeNull();
  });

  // Date.parse alone is lenient: V8 reads "1.5" as 2001-01-05 and "retry 2099" as 2099-01-01.
  it.each(['soon', 'abc', '10s', '1.5', '-5', '+10', '1e3', '0x10', 'later 2030', 'retry 2099', 'Thu, 32 Jan 2026 00:00:00 GMT', '5 seconds'])(
    'returns null for garbage %j',
    (value) => {
      expect(parseRetryAfter(value, NOW)).toBeNull();
    },
  );
});
