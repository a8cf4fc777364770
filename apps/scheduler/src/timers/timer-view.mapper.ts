import { buildTimerView, TimerSnapshot, TimerView } from '@minoots/contracts';
import { TimerRow } from './timers.repository';

/** A string is already ISO text (a query that formats times itself, so none is parsed twice). */
const iso = (d: Date | string): string => (typeof d === 'string' ? d : d.toISOString());
const isoOrNull = (d: Date | string | null): string | null => (d === null ? null : iso(d));

interface SnapshotColumns {
  id: string;
  name: string;
  agent_id: string | null;
  duration_ms: number | string;
  start_at: Date | string;
  fire_at: Date | string;
  created_at: Date | string;
  events: TimerSnapshot['events'];
  metadata: TimerSnapshot['metadata'];
}

/** The timer as lifecycle events carry it, from its projected row (or a claim joined with it). */
export function toTimerSnapshot(row: SnapshotColumns): TimerSnapshot {
  return {
    id: row.id,
    name: row.name,
    agentId: row.agent_id,
    durationMs: Number(row.duration_ms),
    startAt: iso(row.start_at),
    fireAt: iso(row.fire_at),
    createdAt: iso(row.created_at),
    events: row.events,
    metadata: row.metadata,
  };
}

export function toTimerView(row: TimerRow, now = Date.now()): TimerView {
  return buildTimerView(
    toTimerSnapshot(row),
    { status: row.status, expiredAt: isoOrNull(row.expired_at), cancelledAt: isoOrNull(row.cancelled_at), cancelReason: row.cancel_reason },
    now,
  );
}
