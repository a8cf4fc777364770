import { createEvent, TimerEvent, TimerSnapshot } from '@minoots/contracts';
import { ConsumedEvent } from '@minoots/messaging';
import { decideTimerEvents, progressTimerIds, terminalClaims, timerCreations } from './timer-event.decisions';

const timer: TimerSnapshot = {
  id: 'timer_1',
  name: 'deploy',
  agentId: null,
  durationMs: 10_000,
  startAt: '2026-01-01T00:00:00.000Z',
  fireAt: '2026-01-01T00:00:10.000Z',
  events: {},
  metadata: null,
  createdAt: '2026-01-01T00:00:00.000Z',
};
const common = { tenantId: 't1', aggregateId: 'timer_1' };
const at = (seq: number, event: TimerEvent): ConsumedEvent<TimerEvent> => ({ event, seq, redelivered: false });
const progress = (seq: number) =>
  at(seq, createEvent('timer.progress', { ...common, data: { milestone: '50%', percent: 50, dueAt: '2026-01-01T00:00:05.000Z', firedAt: '2026-01-01T00:00:05.001Z', timer } }));
const expired = (seq: number) => at(seq, createEvent('timer.expired', { ...common, data: { dueAt: timer.fireAt, firedAt: '2026-01-01T00:00:10.002Z', timer } }));
const cancelled = (seq: number) => at(seq, createEvent('timer.cancelled', { ...common, data: { reason: 'done', cancelledAt: '2026-01-01T00:00:09.000Z', timer } }));

describe('timer event decisions', () => {
  it('claims only the first terminal event of each timer in a batch', () => {
    const batch = [progress(1), cancelled(2), expired(3)];
    expect(terminalClaims(batch)).toEqual([{ timerId: 'timer_1', seq: 2, status: 'cancelled', endedAt: '2026-01-01T00:00:09.000Z' }]);
    expect(progressTimerIds(batch)).toEqual(['timer_1']);
  });

  it('lets the terminal that stands take effect, and progress only before it', () => {
    const batch = [progress(1), cancelled(2), expired(3), progress(4)];
    const effects = decideTimerEvents(batch, new Map([['timer_1', { seq: 2, status: 'cancelled' as const }]]));
    expect(effects.map((e) => [e.event.type, e.outcome.status])).toEqual([
      ['timer.progress', 'pending'],
      ['timer.cancelled', 'cancelled'],
    ]);
    expect(effects[1].outcome).toEqual({ status: 'cancelled', endedAt: '2026-01-01T00:00:09.000Z', reason: 'done' });
  });

  it('drops an expiry that lost to an earlier cancellation, and progress after the end', () => {
    const effects = decideTimerEvents([expired(9), progress(10)], new Map([['timer_1', { seq: 5, status: 'cancelled' as const }]]));
    expect(effects).toEqual([]);
  });

  it('acts on progress of a timer that has not ended, carrying the timer from the event', () => {
    const [effect] = decideTimerEvents([progress(7)], new Map());
    expect(effect).toMatchObject({ timer, outcome: { status: 'pending' } });
  });

  it('reads when each timer was created from a firing, and bounds it otherwise', () => {
    const fired = at(12, createEvent('timer.expired', { ...common, data: { dueAt: timer.fireAt, firedAt: timer.fireAt, timer, createdSeq: 4 } }));
    expect(timerCreations([cancelled(10), fired])).toEqual(new Map([['timer_1', { seq: 4, bound: 4 }]]));
    expect(timerCreations([cancelled(10), expired(11)])).toEqual(new Map([['timer_1', { seq: undefined, bound: 10 }]]));
    const created = at(3, createEvent('timer.created', { tenantId: 't1', aggregateId: 'timer_2', data: { timer: { ...timer, id: 'timer_2' } } as never }));
    // A creation is not taken at its word (a replayed one has a later sequence), only bounds it.
    expect(timerCreations([created]).get('timer_2')).toEqual({ seq: undefined, bound: 3 });
  });
});
