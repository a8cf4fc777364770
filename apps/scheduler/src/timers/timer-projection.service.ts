import { Injectable, Logger } from '@nestjs/common';
import { TimerEvent } from '@minoots/contracts';
import { ConsumedEvent } from '@minoots/messaging';
import { projectCreatedTimer, RecordedFiring, TerminalChange, TimersRepository } from './timers.repository';

export interface ProjectionOutcome {
  /** Earliest due time among triggers created by this batch (to wake the firing loop). */
  earliestDueAt: Date | null;
  cancelledTimerIds: string[];
  lastSeq: number;
}

/**
 * Projects the timer stream into the scheduler's tables. Applying a batch twice changes nothing:
 * creations insert-or-ignore, and terminal events only land if no earlier event ended the timer.
 */
@Injectable()
export class TimerProjection {
  private readonly logger = new Logger(TimerProjection.name);

  constructor(private readonly timers: TimersRepository) {}

  /**
   * Live, batches hold creations and cancellations: the replica that fires a trigger records the
   * firing and the expiry (only a stream written before firings moved under `timers.fired.*`
   * brings `timer.expired` here, and applying it again changes nothing). A rebuild replays the
   * whole stream, with `recordFirings`: the firings read (`timer.progress`, `timer.expired`) are
   * recorded as fired triggers too, or every trigger would fire again. The rebuild runs the whole
   * replay in one transaction, so these statements open none of their own.
   */
  async apply(batch: ConsumedEvent<TimerEvent>[], options: { recordFirings?: boolean } = {}): Promise<ProjectionOutcome> {
    const outcome: ProjectionOutcome = { earliestDueAt: null, cancelledTimerIds: [], lastSeq: 0 };
    // Collected only for a rebuild: live, the firing scheduler has recorded them.
    const firings: RecordedFiring[] | undefined = options.recordFirings ? [] : undefined;
    const creations: ReturnType<typeof projectCreatedTimer>[] = [];
    // The first terminal event per timer in this batch; earlier batches are checked in SQL.
    const terminals = new Map<string, TerminalChange>();
    for (const { event, seq } of batch) {
      outcome.lastSeq = Math.max(outcome.lastSeq, seq);
      switch (event.type) {
        case 'timer.created': {
          const rows = projectCreatedTimer(event.tenantId, event.data.timer, seq);
          creations.push(rows);
          for (const t of rows.triggers) {
            const due = new Date(t.due_at as string | Date);
            if (!outcome.earliestDueAt || due < outcome.earliestDueAt) outcome.earliestDueAt = due;
          }
          break;
        }
        case 'timer.cancelled':
        case 'timer.expired': {
          if (event.type === 'timer.expired') firings?.push({ timerId: event.aggregateId, kind: 'expire', label: '', firedAt: event.data.firedAt });
          if (terminals.has(event.aggregateId)) break;
          terminals.set(
            event.aggregateId,
            event.type === 'timer.cancelled'
              ? { timerId: event.aggregateId, tenantId: event.tenantId, seq, status: 'cancelled', at: event.data.cancelledAt, reason: event.data.reason }
              : { timerId: event.aggregateId, tenantId: event.tenantId, seq, status: 'expired', at: event.data.firedAt },
          );
          break;
        }
        case 'timer.progress':
          // Progress is derived from the clock on read; the trigger row already records the firing.
          firings?.push({ timerId: event.aggregateId, kind: 'progress', label: event.data.milestone, firedAt: event.data.firedAt });
          break;
        default: {
          const unhandled: never = event;
          this.logger.warn(`ignoring unknown event ${JSON.stringify(unhandled)}`);
        }
      }
    }
    const ended = [...terminals.values()];
    if (firings) {
      // Within the rebuild's one transaction; creations first, as below.
      await this.timers.insertCreated(creations);
      outcome.cancelledTimerIds = await this.timers.applyTerminals(ended);
      await this.timers.recordFirings(firings);
    } else if (creations.length > 0 && ended.length > 0) {
      // Creations first: a timer created and ended within one batch must exist to be ended.
      await this.timers.transaction(async (trx) => {
        await this.timers.insertCreated(creations, trx);
        outcome.cancelledTimerIds = await this.timers.applyTerminals(ended, trx);
      });
    } else {
      // The usual batch is all creations or all endings: one statement, atomic by itself.
      await this.timers.insertCreated(creations);
      outcome.cancelledTimerIds = await this.timers.applyTerminals(ended);
    }
    return outcome;
  }
}
