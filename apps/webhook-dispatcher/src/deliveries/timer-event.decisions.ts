import { isTimerFiring, TimerEvent, TimerSnapshot } from '@minoots/contracts';
import { ConsumedEvent } from '@minoots/messaging';
import { SettledTerminal, TerminalClaim } from './timer-terminals.repository';
import { TimerOutcome } from './timer-webhook-payload.builder';

/** A timer event that takes effect, with the timer it concerns and the timer's state after it. */
export interface TimerEventEffect {
  event: TimerEvent;
  timer: TimerSnapshot;
  outcome: TimerOutcome;
}

const PENDING: TimerOutcome = { status: 'pending', endedAt: null, reason: null };

/** Per timer, the first terminal event of the batch: the only one of the batch that can end it. */
export function terminalClaims(batch: ConsumedEvent<TimerEvent>[]): TerminalClaim[] {
  const claims = new Map<string, TerminalClaim>();
  for (const { event, seq } of batch) {
    if (claims.has(event.aggregateId)) continue;
    if (event.type === 'timer.expired') claims.set(event.aggregateId, { timerId: event.aggregateId, seq, status: 'expired', endedAt: event.data.firedAt });
    if (event.type === 'timer.cancelled') claims.set(event.aggregateId, { timerId: event.aggregateId, seq, status: 'cancelled', endedAt: event.data.cancelledAt });
  }
  return [...claims.values()];
}

export interface TimerCreation {
  /** The stream sequence of the timer's `timer.created`, if a firing in the batch tells it. */
  seq?: number;
  /** An upper bound of it in any case: a timer is created before anything else happens to it. */
  bound: number;
}

/** What the batch tells of when each of its timers was created. */
export function timerCreations(batch: ConsumedEvent<TimerEvent>[]): Map<string, TimerCreation> {
  const creations = new Map<string, TimerCreation>();
  for (const { event, seq } of batch) {
    // Only firings tell, with the sequence the scheduler projected. A `timer.created` is not taken at
    // its word: one re-published by an idempotent replay (after the dedup window) has a later one.
    const told = isTimerFiring(event) ? event.data.createdSeq : undefined;
    const known = creations.get(event.aggregateId);
    if (!known) creations.set(event.aggregateId, { seq: told, bound: told ?? seq });
    else if (told !== undefined && (known.seq === undefined || told < known.seq)) creations.set(event.aggregateId, { seq: told, bound: Math.min(told, known.bound) });
  }
  return creations;
}

/** Timers whose progress events need to know whether the timer already ended. */
export function progressTimerIds(batch: ConsumedEvent<TimerEvent>[]): string[] {
  return batch.filter(({ event }) => event.type === 'timer.progress').map(({ event }) => event.aggregateId);
}

/**
 * Which events of the batch take effect, given the terminal that stands for each timer (the
 * first in the stream, see TimerTerminalsRepository.settle): a terminal event only if it is that
 * one, a progress event only if the timer had not ended before it, a creation always.
 */
export function decideTimerEvents(batch: ConsumedEvent<TimerEvent>[], settled: Map<string, SettledTerminal>): TimerEventEffect[] {
  const effects: TimerEventEffect[] = [];
  for (const { event, seq } of batch) {
    const terminal = settled.get(event.aggregateId);
    switch (event.type) {
      case 'timer.created':
        effects.push({ event, timer: event.data.timer, outcome: PENDING });
        break;
      case 'timer.progress':
        // Progress after the timer ended (a late firing racing a cancel) is not news.
        if (!terminal || terminal.seq > seq) effects.push({ event, timer: event.data.timer, outcome: PENDING });
        break;
      case 'timer.expired':
        if (terminal?.seq === seq) effects.push({ event, timer: event.data.timer, outcome: { status: 'expired', endedAt: event.data.firedAt, reason: null } });
        break;
      case 'timer.cancelled':
        if (terminal?.seq === seq) {
          effects.push({ event, timer: event.data.timer, outcome: { status: 'cancelled', endedAt: event.data.cancelledAt, reason: event.data.reason } });
        }
        break;
    }
  }
  return effects;
}
