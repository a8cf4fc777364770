import { TimerView } from '@minoots/contracts';
import { TimerRow } from './timers.repository';

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

/** The public shape of a timer, with remaining time and progress computed for `now`. */
export function toTimerView(row: TimerRow, now = Date.now()): TimerView {
  const start = new Date(row.start_at).getTime();
  const end = new Date(row.fire_at).getTime();
  const duration = Number(row.duration_ms);
  const endedAt =
    row.status === 'expired' ? end : row.status === 'cancelled' && row.cancelled_at ? new Date(row.cancelled_at).getTime() : now;
  const elapsed = Math.min(Math.max(endedAt - start, 0), duration);
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    agentId: row.agent_id,
    duration,
    startTime: iso(row.start_at)!,
    endTime: iso(row.fire_at)!,
    createdAt: iso(row.created_at)!,
    expiredAt: iso(row.expired_at),
    cancelledAt: iso(row.cancelled_at),
    cancelReason: row.cancel_reason,
    timeRemaining: row.status === 'pending' ? Math.max(0, end - now) : 0,
    progress: Math.round((elapsed / duration) * 10_000) / 100,
    events: row.events,
    metadata: row.metadata,
  };
}
