import { buildTimerView, TimerView } from '@minoots/contracts';
import { TimerRow } from './timers.repository';

const iso = (d: Date | string): string => new Date(d).toISOString();
const isoOrNull = (d: Date | string | null): string | null => (d === null ? null : iso(d));

export function toTimerView(row: TimerRow, now = Date.now()): TimerView {
  return buildTimerView(
    {
      id: row.id,
      name: row.name,
      agentId: row.agent_id,
      durationMs: Number(row.duration_ms),
      startAt: iso(row.start_at),
      fireAt: iso(row.fire_at),
      createdAt: iso(row.created_at),
      events: row.events,
      metadata: row.metadata,
    },
    { status: row.status, expiredAt: isoOrNull(row.expired_at), cancelledAt: isoOrNull(row.cancelled_at), cancelReason: row.cancel_reason },
    now,
  );
}
