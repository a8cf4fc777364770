import { TimerEvents } from './timer-spec.schema';

export const TIMER_STATUSES = ['pending', 'expired', 'cancelled'] as const;
export type TimerStatus = (typeof TIMER_STATUSES)[number];

/** A timer as the public API shows it (the seeds' `timer` object plus live progress). */
export interface TimerView {
  id: string;
  name: string;
  status: TimerStatus;
  agentId: string | null;
  duration: number;
  startTime: string;
  endTime: string;
  createdAt: string;
  expiredAt: string | null;
  cancelledAt: string | null;
  cancelReason: string | null;
  timeRemaining: number;
  progress: number;
  events: TimerEvents;
  metadata: Record<string, unknown> | null;
}
