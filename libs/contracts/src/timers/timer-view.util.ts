import { TimerSnapshot, TimerSpec } from './timer-spec.schema';
import { TimerStatus, TimerView } from './timer-view.type';

export interface TimerState {
  status: TimerStatus;
  expiredAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
}

type ViewedSpec = Pick<TimerSpec, 'id' | 'name' | 'agentId' | 'durationMs' | 'startAt' | 'fireAt' | 'createdAt' | 'events' | 'metadata'>;

/** The public shape of a timer, with remaining time and progress (percent) computed for `now`. */
export function buildTimerView(spec: ViewedSpec, state: TimerState, now = Date.now()): TimerView {
  const start = Date.parse(spec.startAt);
  const end = Date.parse(spec.fireAt);
  const endedAt = state.status === 'expired' ? end : state.status === 'cancelled' && state.cancelledAt ? Date.parse(state.cancelledAt) : now;
  const elapsed = Math.min(Math.max(endedAt - start, 0), spec.durationMs);
  return {
    id: spec.id,
    name: spec.name,
    status: state.status,
    agentId: spec.agentId,
    duration: spec.durationMs,
    startTime: spec.startAt,
    endTime: spec.fireAt,
    createdAt: spec.createdAt,
    expiredAt: state.expiredAt,
    cancelledAt: state.cancelledAt,
    cancelReason: state.cancelReason,
    timeRemaining: state.status === 'pending' ? Math.max(0, end - now) : 0,
    progress: Math.round((elapsed / spec.durationMs) * 10_000) / 100,
    events: spec.events,
    metadata: spec.metadata,
  };
}

/** The timer a lifecycle event carries, from its public view (what the gateway has when it cancels). */
export function timerSnapshotOfView(view: TimerView): TimerSnapshot {
  return {
    id: view.id,
    name: view.name,
    agentId: view.agentId,
    durationMs: view.duration,
    startAt: view.startTime,
    fireAt: view.endTime,
    events: view.events,
    metadata: view.metadata,
    createdAt: view.createdAt,
  };
}
