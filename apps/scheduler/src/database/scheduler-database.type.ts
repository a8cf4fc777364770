import { ColumnType, Generated, Kysely } from 'kysely';
import { TimerEvents, TimerStatus } from '@minoots/contracts';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface TimersTable {
  id: string;
  tenant_id: string;
  name: string;
  agent_id: string | null;
  duration_ms: number;
  start_at: Timestamp;
  fire_at: Timestamp;
  status: TimerStatus;
  events: Json<TimerEvents>;
  metadata: Json<Record<string, unknown> | null>;
  created_at: Timestamp;
  expired_at: Timestamp | null;
  cancelled_at: Timestamp | null;
  cancel_reason: string | null;
  /** Stream sequence of the event that ended the timer: the first terminal event in the stream wins. */
  terminal_seq: number | null;
  created_seq: number;
}

export const TRIGGER_STATE = { pending: 0, fired: 1, cancelled: 2 } as const;
export type TriggerKind = 'progress' | 'expire';

export interface TriggersTable {
  timer_id: string;
  kind: TriggerKind;
  label: string;
  percent: number | null;
  tenant_id: string;
  due_at: Timestamp;
  /** Deterministic, so a trigger fired twice (crash, lease expiry) publishes one deduplicated event. */
  event_id: string;
  state: Generated<number>;
  lease_owner: string | null;
  lease_until: Timestamp | null;
  fired_at: Timestamp | null;
}

export interface SchedulerDB {
  'scheduler.timers': TimersTable;
  'scheduler.triggers': TriggersTable;
}

export type SchedulerDatabase = Kysely<SchedulerDB>;
export const SCHEDULER_DATABASE = Symbol('SCHEDULER_DATABASE');
export const SCHEDULER_SCHEMA = 'scheduler';
