import { TimerEvent, createEvent, TimerSpec } from '@minoots/contracts';
import { planTimerDeliveries } from './timer-delivery.planner';
import { TimerOutcome } from './timer-webhook-payload.builder';

const START = Date.parse('2026-02-01T09:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

const ON_EXPIRE = { webhook: 'https://hooks.example.com/expire', message: 'Build window closed', data: { build: 42 } };
const ON_PROGRESS = { webhook: 'https://hooks.example.com/progress', intervals: ['50%'], message: 'Half-way', data: ['p'] };
const ON_CANCEL = { webhook: 'https://hooks.example.com/cancel', message: 'Stopped', data: { why: 'user' } };

function makeSpec(events: TimerSpec['events']): TimerSpec {
  return {
    id: 'timer_abc',
    name: 'Nightly build',
    agentId: 'agent_1',
    durationMs: 10_000,
    startAt: iso(START),
    fireAt: iso(START + 10_000),
    milestones: [{ label: '50%', percent: 50 }],
    events,
    metadata: { repo: 'minoots' },
    createdAt: iso(START - 10),
  };
}

const ALL = makeSpec({ on_expire: ON_EXPIRE, on_progress: ON_PROGRESS, on_cancel: ON_CANCEL });

const event = {
  created: (spec: TimerSpec) => createEvent('timer.created', { tenantId: 't1', aggregateId: spec.id, data: { timer: spec } }),
  progress: (dueAt = iso(START + 5_000), firedAt = iso(START + 5_040)) =>
    createEvent('timer.progress', { tenantId: 't1', aggregateId: 'timer_abc', data: { milestone: '50%', percent: 50, dueAt, firedAt, timer: ALL } }),
  expired: (firedAt = iso(START + 10_020)) =>
    createEvent('timer.expired', { tenantId: 't1', aggregateId: 'timer_abc', data: { dueAt: iso(START + 10_000), firedAt, timer: ALL } }),
  cancelled: (reason: string | null = 'Build completed successfully', cancelledAt = iso(START + 3_000)) =>
    createEvent('timer.cancelled', { tenantId: 't1', aggregateId: 'timer_abc', data: { reason, cancelledAt, timer: ALL } }),
};

const PENDING: TimerOutcome = { status: 'pending', endedAt: null, reason: null };
const expiredOutcome = (at: string): TimerOutcome => ({ status: 'expired', endedAt: at, reason: null });
const cancelledOutcome = (at: string, reason: string | null): TimerOutcome => ({ status: 'cancelled', endedAt: at, reason });

function only(event: TimerEvent, spec: TimerSpec, outcome: TimerOutcome) {
  const planned = planTimerDeliveries(event, spec, outcome);
  expect(planned).toHaveLength(1);
  return planned[0];
}

describe('planTimerDeliveries: which target', () => {
  it('plans nothing for timer.created, even with every webhook set', () => {
    expect(planTimerDeliveries(event.created(ALL), ALL, PENDING)).toEqual([]);
  });

  it('sends progress to on_progress only', () => {
    const planned = only(event.progress(), ALL, PENDING);
    expect(planned).toMatchObject({ target: 'on_progress', url: ON_PROGRESS.webhook, eventType: 'timer.progress' });
  });

  it('sends expiry to on_expire only', () => {
    const e = event.expired();
    const planned = only(e, ALL, expiredOutcome(e.data.firedAt));
    expect(planned).toMatchObject({ target: 'on_expire', url: ON_EXPIRE.webhook, eventType: 'timer.expired' });
  });

  it('sends a cancellation to on_cancel when there is one', () => {
    const e = event.cancelled();
    const planned = only(e, ALL, cancelledOutcome(e.data.cancelledAt, e.data.reason));
    expect(planned).toMatchObject({ target: 'on_cancel', url: ON_CANCEL.webhook, eventType: 'timer.cancelled' });
    expect(planned.payload).toMatchObject({ message: ON_CANCEL.message, data: ON_CANCEL.data });
  });

  it('falls back to on_expire (its URL, message and data) for a cancellation without on_cancel', () => {
    const spec = makeSpec({ on_expire: ON_EXPIRE, on_progress: ON_PROGRESS });
    const e = event.cancelled();
    const planned = only(e, spec, cancelledOutcome(e.data.cancelledAt, e.data.reason));
    expect(planned).toMatchObject({ target: 'on_expire', url: ON_EXPIRE.webhook, eventType: 'timer.cancelled' });
    expect(planned.payload).toMatchObject({ event: 'timer_cancelled', message: ON_EXPIRE.message, data: ON_EXPIRE.data });
  });

  it.each([
    ['progress without on_progress', event.progress(), makeSpec({ on_expire: ON_EXPIRE, on_cancel: ON_CANCEL }), PENDING],
    ['expiry without on_expire', event.expired(), makeSpec({ on_progress: ON_PROGRESS, on_cancel: ON_CANCEL }), expiredOutcome(iso(START))],
    ['cancellation with neither on_cancel nor on_expire', event.cancelled(), makeSpec({ on_progress: ON_PROGRESS }), cancelledOutcome(iso(START), null)],
    ['anything for a timer with no webhooks', event.expired(), makeSpec({}), expiredOutcome(iso(START))],
  ])('plans no delivery for %s', (_label, e, spec, outcome) => {
    expect(planTimerDeliveries(e, spec, outcome)).toEqual([]);
  });
});

describe('planTimerDeliveries: payloads', () => {
  const baseTimer = {
    id: 'timer_abc',
    name: 'Nightly build',
    agentId: 'agent_1',
    duration: 10_000,
    startTime: iso(START),
    endTime: iso(START + 10_000),
    createdAt: iso(START - 10),
    events: ALL.events,
    metadata: { repo: 'minoots' },
  };

  it('timer_expired: expiredAt on the timer, no progress or reason, timestamp = firing time', () => {
    const firedAt = iso(START + 10_020);
    const { payload } = only(event.expired(firedAt), ALL, expiredOutcome(firedAt));
    expect(payload).toEqual({
      event: 'timer_expired',
      timer: { ...baseTimer, status: 'expired', expiredAt: firedAt },
      message: ON_EXPIRE.message,
      data: ON_EXPIRE.data,
      timestamp: firedAt,
    });
    expect(Object.keys(payload)).toEqual(['event', 'timer', 'message', 'data', 'timestamp']);
  });

  it('timer_progress: milestone, percent and time remaining from the due time (not the late firing time)', () => {
    const dueAt = iso(START + 5_000);
    const firedAt = iso(START + 5_400);
    const { payload } = only(event.progress(dueAt, firedAt), ALL, PENDING);
    expect(payload).toEqual({
      event: 'timer_progress',
      timer: { ...baseTimer, status: 'pending' },
      message: ON_PROGRESS.message,
      data: ON_PROGRESS.data,
      progress: { milestone: '50%', percent: 50, timeRemaining: 5_000 },
      timestamp: firedAt,
    });
    expect(Object.keys(payload)).toEqual(['event', 'timer', 'message', 'data', 'progress', 'timestamp']);
    expect(payload.timer).not.toHaveProperty('expiredAt');
    expect(payload.timer).not.toHaveProperty('cancelledAt');
  });

  it('timer_progress: time remaining never goes negative', () => {
    const { payload } = only(event.progress(iso(START + 12_000)), ALL, PENDING);
    expect(payload.progress).toMatchObject({ timeRemaining: 0 });
  });

  it('timer_cancelled: cancelledAt and reason on the timer and at the top level, timestamp = cancellation time', () => {
    const cancelledAt = iso(START + 3_000);
    const { payload } = only(event.cancelled('Build completed successfully', cancelledAt), ALL, cancelledOutcome(cancelledAt, 'Build completed successfully'));
    expect(payload).toEqual({
      event: 'timer_cancelled',
      timer: { ...baseTimer, status: 'cancelled', cancelledAt, reason: 'Build completed successfully' },
      message: ON_CANCEL.message,
      data: ON_CANCEL.data,
      reason: 'Build completed successfully',
      timestamp: cancelledAt,
    });
    expect(Object.keys(payload)).toEqual(['event', 'timer', 'message', 'data', 'reason', 'timestamp']);
  });

  it('timer_cancelled without a reason still carries reason: null', () => {
    const cancelledAt = iso(START + 1_000);
    const { payload } = only(event.cancelled(null, cancelledAt), ALL, cancelledOutcome(cancelledAt, null));
    expect(payload).toHaveProperty('reason', null);
    expect(payload.timer).toMatchObject({ status: 'cancelled', cancelledAt, reason: null });
    expect(payload.timer).not.toHaveProperty('expiredAt');
  });

  it('sends message and data as null when the target has none, and survives a JSON round trip unchanged', () => {
    const spec = makeSpec({ on_expire: { webhook: 'https://hooks.example.com/bare' } });
    const e = event.expired();
    const { payload } = only(e, spec, expiredOutcome(e.data.firedAt));
    expect(payload).toMatchObject({ message: null, data: null });
    expect(JSON.parse(JSON.stringify(payload))).toEqual(payload);
  });
});
