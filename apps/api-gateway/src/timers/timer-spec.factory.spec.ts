import { decodeTime } from 'ulid';
import { UrlPolicy } from '@minoots/url-policy';
import { ApiError } from '../http/api-error';
import { CreateTimerRequest } from './create-timer.request';
import { buildTimerSpec } from './timer-spec.factory';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

const NOW = Date.parse('2026-01-15T10:15:00.000Z');
const strict = new UrlPolicy({ allowedCidrs: [] });
const loopbackAllowed = new UrlPolicy({ allowedCidrs: ['127.0.0.0/8', '::1/128'] });

function request(overrides: Partial<CreateTimerRequest> = {}): CreateTimerRequest {
  return { name: 'Build', duration: '30s', ...overrides };
}

/** Runs `fn`, asserting it throws an ApiError with the given status and code; returns the error for further checks. */
function apiErrorFrom(fn: () => unknown, status: number, code: string): ApiError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ApiError);
  const error = thrown as ApiError;
  expect({ status: error.status, code: error.code }).toEqual({ status, code });
  return error;
}

describe('buildTimerSpec', () => {
  describe('duration', () => {
    it.each<[string | number, number]>([
      ['500ms', 500],
      ['30s', 30 * SECOND],
      ['15m', 15 * MINUTE],
      ['8h', 8 * HOUR],
      ['2w', 2 * WEEK],
      ['6h30m', 6 * HOUR + 30 * MINUTE],
      ['1d12h', DAY + 12 * HOUR],
      [1500, 1500],
      ['1500', 1500],
    ])('turns %p into %p ms and fires that long after now', (duration, expectedMs) => {
      const spec = buildTimerSpec(request({ duration }), strict, NOW);
      expect(spec.durationMs).toBe(expectedMs);
      expect(spec.startAt).toBe('2026-01-15T10:15:00.000Z');
      expect(spec.createdAt).toBe('2026-01-15T10:15:00.000Z');
      expect(Date.parse(spec.fireAt)).toBe(NOW + expectedMs);
    });

    it('writes fireAt as a UTC ISO string', () => {
      expect(buildTimerSpec(request({ duration: '1d12h' }), strict, NOW).fireAt).toBe('2026-01-16T22:15:00.000Z');
    });

    it('uses the current clock when no `now` is given', () => {
      const before = Date.now();
      const spec = buildTimerSpec(request({ duration: '1h' }), strict);
      const after = Date.now();
      const createdAt = Date.parse(spec.createdAt);
      expect(createdAt).toBeGreaterThanOrEqual(before);
      expect(createdAt).toBeLessThanOrEqual(after);
      expect(Date.parse(spec.fireAt) - createdAt).toBe(HOUR);
    });

    it.each<[string | number]>([['15M'], ['abc'], ['30m1h'], ['366d'], ['0'], [0], [-5], [1.5], ['']])(
      'answers 400 INVALID_DURATION quoting %p',
      (duration) => {
        const error = apiErrorFrom(() => buildTimerSpec(request({ duration }), strict, NOW), 400, 'INVALID_DURATION');
        expect(error.message).toContain(JSON.stringify(String(duration)));
      },
    );

    it('truncates a huge invalid duration in the message', () => {
      const duration = 'x'.repeat(10_000);
      const error = apiErrorFrom(() => buildTimerSpec(request({ duration }), strict, NOW), 400, 'INVALID_DURATION');
      expect(error.message.length).toBeLessThan(300);
    });
  });

  describe('fireAt instead of duration', () => {
    it('derives the duration from a future ISO date-time', () => {
      const spec = buildTimerSpec(request({ duration: undefined, fireAt: '2026-01-15T10:45:00Z' }), strict, NOW);
      expect(spec.durationMs).toBe(30 * MINUTE);
      expect(spec.fireAt).toBe('2026-01-15T10:45:00.000Z');
    });

    it('honours a UTC offset rather than treating the time as UTC', () => {
      const spec = buildTimerSpec(request({ duration: undefined, fireAt: '2026-01-15T12:15:00+01:00' }), strict, NOW);
      expect(spec.durationMs).toBe(HOUR);
      expect(spec.fireAt).toBe('2026-01-15T11:15:00.000Z');
    });

    it('keeps millisecond precision', () => {
      const spec = buildTimerSpec(request({ duration: undefined, fireAt: '2026-01-15T10:15:00.001Z' }), strict, NOW);
      expect(spec.durationMs).toBe(1);
    });

    it('accepts February 29th of a leap year', () => {
      const now = Date.parse('2027-06-01T00:00:00Z');
      const spec = buildTimerSpec(request({ duration: undefined, fireAt: '2028-02-29T00:00:00Z' }), strict, now);
      expect(spec.fireAt).toBe('2028-02-29T00:00:00.000Z');
    });

    it('accepts exactly 365 days ahead', () => {
      const fireAt = new Date(NOW + 365 * DAY).toISOString();
      expect(buildTimerSpec(request({ duration: undefined, fireAt }), strict, NOW).durationMs).toBe(365 * DAY);
    });

    it.each([
      ['now', new Date(NOW).toISOString(), /future/],
      ['the past', '2026-01-15T10:14:59.999Z', /future/],
      ['a year ago', '2025-01-15T10:15:00Z', /future/],
      ['365 days and 1 ms ahead', new Date(NOW + 365 * DAY + 1).toISOString(), /365 days/],
      ['a natural-language word', 'tomorrow', /"tomorrow"/],
      ['a date without a time', '2026-01-16', /"2026-01-16"/],
      ['an RFC 2822 date', 'Fri, 16 Jan 2026 10:15:00 GMT', /not an ISO-8601/],
      ['epoch milliseconds as a string', String(NOW + HOUR), /not an ISO-8601/],
      ['an impossible hour', '2026-01-15T25:00:00Z', /not an ISO-8601/],
      // Date.parse alone would roll these over to early March / May 1 and fire on the wrong day.
      ['February 30th', '2026-02-30T00:00:00Z', /"2026-02-30T00:00:00Z" is not an ISO-8601/],
      ['February 29th of a common year', '2026-02-29T12:00:00Z', /not an ISO-8601/],
      ['April 31st', '2026-04-31T00:00:00Z', /not an ISO-8601/],
      ['an empty string', '', /not an ISO-8601/],
      // Without an offset the instant would depend on the server's time zone.
      ['a local time without an offset', '2026-01-15T12:00:00', /with an offset/],
    ])('answers 400 INVALID_FIRE_AT for %s', (_label, fireAt, message) => {
      const error = apiErrorFrom(() => buildTimerSpec(request({ duration: undefined, fireAt }), strict, NOW), 400, 'INVALID_FIRE_AT');
      expect(error.message).toMatch(message);
    });
  });

  describe('milestones', () => {
    it('deduplicates and sorts by percent, keeping the first label', () => {
      const spec = buildTimerSpec(
        request({ events: { on_progress: { webhook: 'https://example.com/p', intervals: ['75%', '25%', '50%', '25%'] } } }),
        strict,
        NOW,
      );
      expect(spec.milestones).toEqual([
        { label: '25%', percent: 25 },
        { label: '50%', percent: 50 },
        { label: '75%', percent: 75 },
      ]);
    });

    it('sorts numerically, not as strings, and keeps fractional percents', () => {
      const spec = buildTimerSpec(
        request({ events: { on_progress: { webhook: 'https://example.com/p', intervals: ['90%', '12.5%', '9%', '50.0%', '50%'] } } }),
        strict,
        NOW,
      );
      expect(spec.milestones).toEqual([
        { label: '9%', percent: 9 },
        { label: '12.5%', percent: 12.5 },
        { label: '50.0%', percent: 50 },
        { label: '90%', percent: 90 },
      ]);
    });

    it('is empty without on_progress', () => {
      expect(buildTimerSpec(request(), strict, NOW).milestones).toEqual([]);
    });

    it.each([['0%'], ['100%'], ['150%'], ['abc'], ['50'], ['-10%']])('answers 400 INVALID_INTERVAL for %p', (interval) => {
      const error = apiErrorFrom(
        () =>
          buildTimerSpec(
            request({ events: { on_progress: { webhook: 'https://example.com/p', intervals: ['25%', interval] } } }),
            strict,
            NOW,
          ),
        400,
        'INVALID_INTERVAL',
      );
      expect(error.message).toContain('events.on_progress.intervals');
      expect(error.message).toContain(JSON.stringify(interval));
    });
  });

  describe('webhook URLs', () => {
    it('answers 400 INVALID_WEBHOOK_URL for something that is not a URL', () => {
      const error = apiErrorFrom(
        () => buildTimerSpec(request({ events: { on_expire: { webhook: 'not a url' } } }), strict, NOW),
        400,
        'INVALID_WEBHOOK_URL',
      );
      expect(error.message).toContain('events.on_expire.webhook');
      expect(error.message).toContain('"not a url"');
    });

    it.each([
      ['a private address', 'http://10.0.0.1/x', /private/],
      ['the cloud metadata address', 'http://169.254.169.254/', /link-local/],
      ['localhost', 'http://localhost:8080/', /loopback/],
      ['a loopback literal', 'http://127.0.0.1/hook', /loopback/],
      ['an IPv6 loopback literal', 'http://[::1]/hook', /loopback/],
      ['an obfuscated loopback literal', 'http://2130706433/hook', /loopback/],
      ['an FTP URL', 'ftp://example.com', /scheme/],
      ['a URL with credentials', 'https://user:pass@example.com/hook', /credentials/],
    ])('answers 422 WEBHOOK_URL_REFUSED for %s', (_label, webhook, reason) => {
      const error = apiErrorFrom(
        () => buildTimerSpec(request({ events: { on_expire: { webhook } } }), strict, NOW),
        422,
        'WEBHOOK_URL_REFUSED',
      );
      expect(error.message).toMatch(/^events\.on_expire\.webhook: /);
      expect(error.message).toMatch(reason);
    });

    it.each([['on_expire'], ['on_progress'], ['on_cancel']] as const)('checks the %s webhook and names it', (event) => {
      const target = event === 'on_progress' ? { webhook: 'http://10.0.0.1/x', intervals: ['50%'] } : { webhook: 'http://10.0.0.1/x' };
      const error = apiErrorFrom(
        () =>
          buildTimerSpec(
            request({ events: { on_expire: { webhook: 'https://example.com/ok' }, [event]: target } }),
            strict,
            NOW,
          ),
        422,
        'WEBHOOK_URL_REFUSED',
      );
      expect(error.message).toContain(`events.${event}.webhook`);
    });

    it('accepts a public https URL and keeps the events as given', () => {
      const events = {
        on_expire: { webhook: 'https://example.com/hook', message: 'done', data: { a: 1 } },
        on_cancel: { webhook: 'http://93.184.216.34/cancel' },
      };
      const spec = buildTimerSpec(request({ events }), strict, NOW);
      expect(spec.events).toEqual(events);
    });

    it('accepts localhost when loopback is allow-listed', () => {
      const spec = buildTimerSpec(
        request({ events: { on_expire: { webhook: 'http://localhost:8080/' }, on_cancel: { webhook: 'http://[::1]:9000/c' } } }),
        loopbackAllowed,
        NOW,
      );
      expect(spec.events.on_expire?.webhook).toBe('http://localhost:8080/');
    });

    it('still refuses private addresses outside the allow-list', () => {
      apiErrorFrom(
        () => buildTimerSpec(request({ events: { on_expire: { webhook: 'http://10.0.0.1/x' } } }), loopbackAllowed, NOW),
        422,
        'WEBHOOK_URL_REFUSED',
      );
    });

    it('defaults events to an empty object', () => {
      expect(buildTimerSpec(request(), strict, NOW).events).toEqual({});
    });
  });

  describe('identity and defaults', () => {
    it('gives a timer_ id of 26 lowercase ULID characters encoding the creation time', () => {
      const spec = buildTimerSpec(request(), strict, NOW);
      expect(spec.id).toMatch(/^timer_[0-9a-hjkmnp-tv-z]{26}$/);
      expect(decodeTime(spec.id.slice('timer_'.length).toUpperCase())).toBe(NOW);
    });

    it('gives every timer a distinct id, even in the same millisecond', () => {
      const ids = new Set(Array.from({ length: 200 }, () => buildTimerSpec(request(), strict, NOW).id));
      expect(ids.size).toBe(200);
    });

    it('defaults agentId and metadata to null', () => {
      const spec = buildTimerSpec(request(), strict, NOW);
      expect(spec.agentId).toBeNull();
      expect(spec.metadata).toBeNull();
    });

    it('carries name, agentId and metadata through', () => {
      const spec = buildTimerSpec(request({ name: 'Deploy', agentId: 'agent-7', metadata: { run: 42 } }), strict, NOW);
      expect(spec).toMatchObject({ name: 'Deploy', agentId: 'agent-7', metadata: { run: 42 } });
    });
  });
});
