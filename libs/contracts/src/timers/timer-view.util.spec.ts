import { buildTimerView, TimerState } from './timer-view.util';
import { TimerSpec } from './timer-spec.schema';

const START = Date.parse('2026-03-01T12:00:00.000Z');
const DURATION = 10_000;
const iso = (ms: number) => new Date(ms).toISOString();

const spec: TimerSpec = {
  id: 'timer_1',
  name: 'Build',
  agentId: 'agent_7',
  durationMs: DURATION,
  startAt: iso(START),
  fireAt: iso(START + DURATION),
  milestones: [{ label: '50%', percent: 50 }],
  events: { on_expire: { webhook: 'https://example.com/done', message: 'done' } },
  metadata: { team: 'ci' },
  createdAt: iso(START - 5),
};

const pending: TimerState = { status: 'pending', expiredAt: null, cancelledAt: null, cancelReason: null };

describe('buildTimerView', () => {
  it('maps the spec and state onto the public field names', () => {
    const view = buildTimerView(spec, pending, START);
    expect(view).toEqual({
      id: 'timer_1',
      name: 'Build',
      status: 'pending',
      agentId: 'agent_7',
      duration: DURATION,
      startTime: spec.startAt,
      endTime: spec.fireAt,
      createdAt: spec.createdAt,
      expiredAt: null,
      cancelledAt: null,
      cancelReason: null,
      timeRemaining: DURATION,
      progress: 0,
      events: spec.events,
      metadata: { team: 'ci' },
    });
  });

  it('computes progress and remaining time for a pending timer half-way through', () => {
    const view = buildTimerView(spec, pending, START + 5_000);
    expect(view.progress).toBe(50);
    expect(view.timeRemaining).toBe(5_000);
  });

  it('rounds progress to two decimals', () => {
    const third = { ...spec, durationMs: 3_000, fireAt: iso(START + 3_000) };
    expect(buildTimerView(third, pending, START + 1_000).progress).toBe(33.33);
    expect(buildTimerView(third, pending, START + 2_000).progress).toBe(66.67);
    expect(buildTimerView(spec, pending, START + 1).progress).toBe(0.01);
  });

  it('uses the current time when no `now` is given', () => {
    jest.useFakeTimers({ now: START + 2_500 });
    try {
      const view = buildTimerView(spec, pending);
      expect(view.progress).toBe(25);
      expect(view.timeRemaining).toBe(7_500);
    } finally {
      jest.useRealTimers();
    }
  });

  it('clamps progress at 0 before the start, with the time remaining still counted to the end', () => {
    const view = buildTimerView(spec, pending, START - 2_000);
    expect(view.progress).toBe(0);
    expect(view.timeRemaining).toBe(DURATION + 2_000);
  });

  it('clamps a pending timer past its end (firing not yet seen) to 100 and 0', () => {
    const view = buildTimerView(spec, pending, START + DURATION + 750);
    expect(view.progress).toBe(100);
    expect(view.timeRemaining).toBe(0);
    expect(buildTimerView(spec, pending, START + DURATION)).toMatchObject({ progress: 100, timeRemaining: 0 });
  });

  it('shows an expired timer at 100 and 0 whatever the clock says', () => {
    const expired: TimerState = { status: 'expired', expiredAt: iso(START + DURATION + 3), cancelledAt: null, cancelReason: null };
    for (const now of [START + 1_000, START + DURATION, START + 10 * DURATION]) {
      const view = buildTimerView(spec, expired, now);
      expect(view).toMatchObject({ status: 'expired', progress: 100, timeRemaining: 0, expiredAt: expired.expiredAt, cancelledAt: null });
    }
  });

  it('freezes a cancelled timer at the progress it had when cancelled', () => {
    const cancelled: TimerState = { status: 'cancelled', expiredAt: null, cancelledAt: iso(START + 3_000), cancelReason: 'done early' };
    const view = buildTimerView(spec, cancelled, START + 8_000);
    expect(view).toMatchObject({ status: 'cancelled', progress: 30, timeRemaining: 0, cancelledAt: cancelled.cancelledAt, cancelReason: 'done early' });
    // Later reads show the same.
    expect(buildTimerView(spec, cancelled, START + 100 * DURATION).progress).toBe(30);
  });

  it('clamps a cancellation recorded before the start or after the end', () => {
    const early: TimerState = { status: 'cancelled', expiredAt: null, cancelledAt: iso(START - 1_000), cancelReason: null };
    const late: TimerState = { status: 'cancelled', expiredAt: null, cancelledAt: iso(START + DURATION + 1_000), cancelReason: null };
    expect(buildTimerView(spec, early, START + 5_000)).toMatchObject({ progress: 0, timeRemaining: 0 });
    expect(buildTimerView(spec, late, START + 5_000)).toMatchObject({ progress: 100, timeRemaining: 0 });
  });

  it('falls back to now for a cancelled timer without a cancellation time, still with nothing remaining', () => {
    const cancelled: TimerState = { status: 'cancelled', expiredAt: null, cancelledAt: null, cancelReason: null };
    expect(buildTimerView(spec, cancelled, START + 4_000)).toMatchObject({ progress: 40, timeRemaining: 0 });
  });
});
