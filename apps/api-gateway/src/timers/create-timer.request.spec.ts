import { ApiError } from '../http/api-error';
import { parseInput } from '../http/parse-input.util';
import { cancelTimerRequestSchema, createTimerRequestSchema, listTimersQuerySchema } from './create-timer.request';

/** Parses `input`, asserting a 400 VALIDATION_FAILED, and returns its message. */
function rejection(schema: Parameters<typeof parseInput>[0], input: unknown): string {
  let thrown: unknown;
  try {
    parseInput(schema, input);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ApiError);
  const error = thrown as ApiError;
  expect(error.status).toBe(400);
  expect(error.code).toBe('VALIDATION_FAILED');
  return error.message;
}

describe('createTimerRequestSchema via parseInput', () => {
  it('accepts a full seed-style request', () => {
    const body = {
      name: 'Build',
      duration: '6h30m',
      agentId: 'agent-1',
      metadata: { run: 1 },
      events: {
        on_expire: { webhook: 'https://example.com/done', message: 'done', data: { a: 1 } },
        on_progress: { webhook: 'https://example.com/progress', intervals: ['25%', '50%'] },
        on_cancel: { webhook: 'https://example.com/cancel' },
      },
    };
    expect(parseInput(createTimerRequestSchema, body)).toEqual(body);
  });

  it('accepts fireAt instead of duration', () => {
    expect(parseInput(createTimerRequestSchema, { name: 'x', fireAt: '2030-01-01T00:00:00Z' })).toEqual({
      name: 'x',
      fireAt: '2030-01-01T00:00:00Z',
    });
  });

  it('accepts a number of milliseconds as duration', () => {
    expect(parseInput(createTimerRequestSchema, { name: 'x', duration: 1500 }).duration).toBe(1500);
  });

  it('rejects an unknown top-level field, naming it', () => {
    const message = rejection(createTimerRequestSchema, { name: 'x', duration: '1s', callback: 'https://example.com' });
    expect(message).toContain('"callback"');
    expect(message).toMatch(/unknown field/);
  });

  it('names every unknown field', () => {
    const message = rejection(createTimerRequestSchema, { name: 'x', duration: '1s', foo: 1, bar: 2 });
    expect(message).toContain('"foo"');
    expect(message).toContain('"bar"');
  });

  it('rejects an unknown field inside events.on_expire, naming the path', () => {
    const message = rejection(createTimerRequestSchema, {
      name: 'x',
      duration: '1s',
      events: { on_expire: { webhook: 'https://example.com', url: 'https://example.com' } },
    });
    expect(message).toContain('events.on_expire');
    expect(message).toContain('"url"');
  });

  it('rejects an unknown event name', () => {
    const message = rejection(createTimerRequestSchema, {
      name: 'x',
      duration: '1s',
      events: { on_fire: { webhook: 'https://example.com' } },
    });
    expect(message).toContain('events');
    expect(message).toContain('"on_fire"');
  });

  it('rejects both duration and fireAt', () => {
    const message = rejection(createTimerRequestSchema, { name: 'x', duration: '1s', fireAt: '2030-01-01T00:00:00Z' });
    expect(message).toMatch(/either duration or fireAt/);
  });

  it('rejects neither duration nor fireAt', () => {
    const message = rejection(createTimerRequestSchema, { name: 'x' });
    expect(message).toMatch(/either duration or fireAt/);
  });

  it('reports each wrongly typed field once, by path', () => {
    const message = rejection(createTimerRequestSchema, { name: 5, duration: [1], metadata: 'x' });
    const problems = message.split('; ');
    for (const path of ['name', 'duration', 'metadata']) {
      expect(problems.filter((problem) => problem.startsWith(`${path}: `))).toHaveLength(1);
    }
    expect(message).toContain('name: expected a string');
    expect(message).toContain('metadata: expected an object');
    expect(message).toMatch(/duration: expected a duration such as/);
  });

  it('names nested paths such as events.on_progress.intervals', () => {
    const message = rejection(createTimerRequestSchema, {
      name: 'x',
      duration: '1s',
      events: { on_progress: { webhook: 'https://example.com', intervals: [] } },
    });
    expect(message).toMatch(/^events\.on_progress\.intervals: /);
  });

  it('requires a webhook on every event', () => {
    const message = rejection(createTimerRequestSchema, { name: 'x', duration: '1s', events: { on_cancel: { message: 'm' } } });
    expect(message).toContain('events.on_cancel.webhook');
  });

  it('trims the name', () => {
    expect(parseInput(createTimerRequestSchema, { name: '  Build  ', duration: '1s' }).name).toBe('Build');
  });

  it.each([[''], ['   ']])('rejects the empty name %p', (name) => {
    expect(rejection(createTimerRequestSchema, { name, duration: '1s' })).toContain('name: must not be empty');
  });

  it('rejects a missing name', () => {
    expect(rejection(createTimerRequestSchema, { duration: '1s' })).toContain('name: ');
  });

  it.each([[null], ['string'], [[]], [42]])('rejects a body that is not an object (%p)', (body) => {
    expect(rejection(createTimerRequestSchema, body)).toMatch(/^body: /);
  });
});

describe('listTimersQuerySchema via parseInput', () => {
  it('coerces limit from a query-string value', () => {
    expect(parseInput(listTimersQuerySchema, { limit: '25' }).limit).toBe(25);
  });

  it('defaults limit to 50', () => {
    expect(parseInput(listTimersQuerySchema, {})).toEqual({ limit: 50 });
  });

  it.each([['1', 1], ['100', 100]])('accepts the bound %p', (limit, expected) => {
    expect(parseInput(listTimersQuerySchema, { limit }).limit).toBe(expected);
  });

  it.each([['0'], ['101'], ['abc'], ['2.5'], ['-1']])('rejects limit %p', (limit) => {
    expect(rejection(listTimersQuerySchema, { limit })).toMatch(/^limit: /);
  });

  it('accepts the filters and rejects an unknown status', () => {
    expect(parseInput(listTimersQuerySchema, { status: 'pending', agentId: 'a', name: 'n', cursor: 'c' })).toEqual({
      status: 'pending',
      agentId: 'a',
      name: 'n',
      cursor: 'c',
      limit: 50,
    });
    expect(rejection(listTimersQuerySchema, { status: 'running' })).toMatch(/^status: /);
  });

  it('rejects an unknown query parameter', () => {
    expect(rejection(listTimersQuerySchema, { offset: '10' })).toContain('"offset"');
  });
});

describe('cancelTimerRequestSchema via parseInput', () => {
  it('accepts no body', () => {
    expect(parseInput(cancelTimerRequestSchema, undefined)).toBeUndefined();
  });

  it('accepts a reason', () => {
    expect(parseInput(cancelTimerRequestSchema, { reason: 'user aborted' })).toEqual({ reason: 'user aborted' });
  });

  it('accepts an empty object', () => {
    expect(parseInput(cancelTimerRequestSchema, {})).toEqual({});
  });

  it('rejects a non-string reason', () => {
    expect(rejection(cancelTimerRequestSchema, { reason: 5 })).toMatch(/^reason: /);
  });

  it('rejects an unknown field', () => {
    expect(rejection(cancelTimerRequestSchema, { reason: 'r', force: true })).toContain('"force"');
  });
});

describe('parseInput', () => {
  it('uses a caller-given error code', () => {
    expect(() => parseInput(listTimersQuerySchema, { limit: '0' }, 'INVALID_QUERY')).toThrow(
      expect.objectContaining({ status: 400, code: 'INVALID_QUERY' }),
    );
  });
});
