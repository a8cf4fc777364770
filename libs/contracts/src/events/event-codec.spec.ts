import { createEvent } from './event-factory.util';
import { decodeEvent, encodeEvent, InvalidEventError, parseEvent } from './event-codec.util';
import { subjectFor, streamNameFor, resolveNamespace, streamSubjectsFor, timerLifecycleSubjectsFor } from './namespace.util';
import { TimerSpec } from '../timers/timer-spec.schema';

const spec: TimerSpec = {
  id: 'timer_1',
  name: 'Build',
  agentId: null,
  durationMs: 2000,
  startAt: '2026-01-01T00:00:00.000Z',
  fireAt: '2026-01-01T00:00:02.000Z',
  milestones: [{ label: '50%', percent: 50 }],
  events: { on_expire: { webhook: 'https://example.com/done', message: 'done', data: { a: 1 } } },
  metadata: null,
  createdAt: '2026-01-01T00:00:00.000Z',
};

describe('event codec', () => {
  it('round-trips a valid event through bytes', () => {
    const event = createEvent('timer.created', { tenantId: 't1', aggregateId: spec.id, data: { timer: spec } });
    expect(event.id).toMatch(/^evt_[0-9A-Z]{26}$/);
    expect(event.version).toBe(1);
    expect(decodeEvent(encodeEvent(event))).toEqual(event);
  });

  it('keeps a caller-supplied id so a re-publish is deduplicated', () => {
    const event = createEvent('timer.expired', {
      id: 'evt_fixed',
      tenantId: 't1',
      aggregateId: 'timer_1',
      data: { dueAt: spec.fireAt, firedAt: spec.fireAt, timer: spec },
    });
    expect(event.id).toBe('evt_fixed');
  });

  it('rejects unknown types, wrong versions and missing fields', () => {
    expect(() => parseEvent({ type: 'timer.exploded' })).toThrow(InvalidEventError);
    const event = createEvent('timer.cancelled', {
      tenantId: 't1',
      aggregateId: 'timer_1',
      data: { reason: null, cancelledAt: spec.createdAt, timer: spec },
    });
    expect(() => parseEvent({ ...event, version: 1 })).toThrow(/invalid timer.cancelled event: version/);
    // Version 2 carries the timer: a cancellation without it is not one.
    expect(() => parseEvent({ ...event, data: { reason: null, cancelledAt: spec.createdAt } })).toThrow(/data.timer/);
    expect(() => parseEvent({ ...event, tenantId: '' })).toThrow(/tenantId/);
    expect(() => parseEvent({ ...event, data: { reason: 5 } })).toThrow(/data.reason/);
  });

  it('rejects bytes that are not JSON', () => {
    expect(() => decodeEvent(Buffer.from('{nope'))).toThrow('event payload is not JSON');
  });
});

describe('namespacing', () => {
  it('prefixes subjects and streams', () => {
    expect(subjectFor('minoots', 'timer.created')).toBe('minoots.timers.created');
    expect(streamNameFor('e2e_ab12', 'timers')).toBe('E2E_AB12_TIMERS');
  });

  it('puts firings where the lifecycle filter does not reach, and everything in the timer stream', () => {
    // NATS wildcards: `*` is one token, `>` one or more at the end.
    const matches = (filter: string, subject: string) => {
      const f = filter.split('.');
      const s = subject.split('.');
      return f.every((token, i) => token === '>' ? s.length > i : token === '*' ? i < s.length : token === s[i]) && (f.at(-1) === '>' || f.length === s.length);
    };
    const lifecycle = timerLifecycleSubjectsFor('minoots');
    const stream = streamSubjectsFor('minoots', 'timers');
    expect(subjectFor('minoots', 'timer.expired')).toBe('minoots.timers.fired.expired');
    for (const type of ['timer.created', 'timer.cancelled'] as const) expect(matches(lifecycle, subjectFor('minoots', type))).toBe(true);
    for (const type of ['timer.progress', 'timer.expired'] as const) expect(matches(lifecycle, subjectFor('minoots', type))).toBe(false);
    // What streams written before firings moved hold: still the projection's.
    expect(matches(lifecycle, 'minoots.timers.expired')).toBe(true);
    for (const type of ['timer.created', 'timer.cancelled', 'timer.progress', 'timer.expired'] as const) expect(matches(stream, subjectFor('minoots', type))).toBe(true);
  });

  it('refuses namespaces that would break subjects', () => {
    expect(() => resolveNamespace({ MINOOTS_NAMESPACE: 'a.b' })).toThrow(/MINOOTS_NAMESPACE/);
    expect(resolveNamespace({})).toBe('minoots');
  });
});
