import { AnyEvent, TimerExpiredEvent, TimerProgressEvent } from './event-registry.constants';

/** A trigger's firing, published by the scheduler: it carries `dueAt`, `firedAt` and `createdSeq`. */
export type TimerFiringEvent = TimerExpiredEvent | TimerProgressEvent;

/** Whether the event is a firing (an expiry or a progress milestone) rather than a creation or a cancellation. */
export function isTimerFiring(event: AnyEvent): event is TimerFiringEvent {
  return event.type === 'timer.expired' || event.type === 'timer.progress';
}
