import { TimerSpec } from '@minoots/contracts';
import { buildTimerWebhookPayload } from './timer-webhook-payload.builder';

const spec: TimerSpec = {
  id: 'timer_1',
  name: 'Tea',
  agentId: null,
  durationMs: 180_000,
  startAt: '2026-01-01T00:00:00.000Z',
  fireAt: '2026-01-01T00:03:00.000Z',
  milestones: [],
  events: { on_expire: { webhook: 'https://example.com/tea' } },
  metadata: null,
  createdAt: '2026-01-01T00:00:00.000Z',
};
const AT = '2026-01-01T00:03:00.010Z';

describe('buildTimerWebhookPayload', () => {
  it('passes null agentId and metadata through as null rather than dropping them', () => {
    const payload = buildTimerWebhookPayload('timer_expired', spec, { status: 'expired', endedAt: AT, reason: null }, { at: AT });
    expect(payload.timer).toHaveProperty('agentId', null);
    expect(payload.timer).toHaveProperty('metadata', null);
  });

  it('keeps falsy message and data values as given (only absent ones become null)', () => {
    const payload = buildTimerWebhookPayload('timer_expired', spec, { status: 'expired', endedAt: AT, reason: null }, { message: '', data: 0, at: AT });
    expect(payload).toMatchObject({ message: '', data: 0 });
    const withFalse = buildTimerWebhookPayload('timer_expired', spec, { status: 'expired', endedAt: AT, reason: null }, { data: false, at: AT });
    expect(withFalse.data).toBe(false);
  });

  it('puts the reason at the top level only for timer_cancelled', () => {
    const expired = buildTimerWebhookPayload('timer_expired', spec, { status: 'expired', endedAt: AT, reason: 'ignored' }, { at: AT });
    expect(expired).not.toHaveProperty('reason');
    expect(expired.timer).not.toHaveProperty('reason');
    const cancelled = buildTimerWebhookPayload('timer_cancelled', spec, { status: 'cancelled', endedAt: AT, reason: 'stop' }, { at: AT });
    expect(cancelled).toHaveProperty('reason', 'stop');
  });

  it('adds progress only when given', () => {
    const without = buildTimerWebhookPayload('timer_progress', spec, { status: 'pending', endedAt: null, reason: null }, { at: AT });
    expect(without).not.toHaveProperty('progress');
    const progress = { milestone: '1m', percent: 33.33, timeRemaining: 120_000 };
    const withIt = buildTimerWebhookPayload('timer_progress', spec, { status: 'pending', endedAt: null, reason: null }, { progress, at: AT });
    expect(withIt.progress).toEqual(progress);
  });
});
