import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Insertable } from 'kysely';
import { GroupCommit, isDataError } from '@minoots/database';
import { DeliveriesTable } from '../database/dispatcher-database.type';
import { AttemptRecord, DeliveriesRepository } from './deliveries.repository';
import { TerminalClaim } from './timer-terminals.repository';

/**
 * How long writes gather before a group is written. Nothing waits on these writes but the
 * acknowledgement of the events and the outcome events, so a few milliseconds buy groups large
 * enough that a delivery and its first attempt usually land as one row. At 1,000 firings a second,
 * 25 ms rather than 10 took a tenth off the whole system's CPU per firing (fewer, larger statements
 * and acknowledgements) and with it most of the lateness that contention caused; 50 gained nothing.
 */
const WRITE_WINDOW_MS = 25;
const MAX_RETRY_DELAY_MS = 5_000;
/**
 * How long a new delivery waits, at most, for its first attempt to end before it is written
 * without it. Written with its first attempt, a delivery is one insert; written before it, an
 * insert and then an update of every index. In a burst of 10,000 firings every attempt ended after
 * the write window (undici's queue holds thousands), so every delivery was written twice.
 */
export const FIRST_ATTEMPT_HOLD_MS = 2_000;

/** A new delivery, from when it is planned until it is written. */
interface Held {
  row: Insertable<DeliveriesTable>;
  /** Handed to the group (with its first attempt, or without it): no longer waiting. */
  released: boolean;
  land(written: Promise<void>): void;
  landed: Promise<void>;
}

interface Write {
  rows: Insertable<DeliveriesTable>[];
  records: AttemptRecord[];
  terminals: TerminalClaim[];
}

/**
 * The dispatcher's writes on the delivery path — new deliveries, timers' terminals and attempt records — grouped
 * into one statement per few milliseconds, in the order asked for, so an attempt is never
 * recorded before its delivery. A group that fails for want of the database is retried (with
 * backoff) until it lands, and an event whose deliveries are not written is not acknowledged, so
 * it comes back; one that fails for its data is written item by item, and only the faulty item's
 * caller is told.
 */
@Injectable()
export class DeliveryWriter implements OnApplicationShutdown {
  private readonly logger = new Logger(DeliveryWriter.name);
  private stopping = false;
  private readonly group: GroupCommit<Write>;
  /** New deliveries, by id, until they are written; those not yet released wait for their first attempt. */
  private readonly held = new Map<string, Held>();

  constructor(deliveries: DeliveriesRepository) {
    this.group = new GroupCommit<Write>(
      (writes) =>
        deliveries.writeGroup(
          writes.flatMap((w) => w.rows),
          writes.flatMap((w) => w.records),
          writes.flatMap((w) => w.terminals),
        ),
      {
        windowMs: WRITE_WINDOW_MS,
        maxItems: 2_000,
        // One bad record (say, a value Postgres refuses) must not hold back every write after it.
        isPermanent: isDataError,
        retryDelayMs: (attempt, error) => {
          if (this.stopping) return undefined;
          const delay = Math.min(100 * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS);
          this.logger.warn(`writing deliveries and attempts failed (attempt ${attempt}), retrying in ${delay} ms: ${(error as Error).message}`);
          return delay;
        },
      },
    );
  }

  /**
   * New deliveries whose first attempts start now, and the timers' terminals decided with them.
   * Each delivery waits for its attempt's record (`record`) to land with it as one row, or is
   * written without it when `written` asks, or after FIRST_ATTEMPT_HOLD_MS. Resolves once all of
   * them (already-present ones are left as they are) and the terminals (each timer keeps its
   * earliest) are durable: the events they came from may be acknowledged then.
   */
  insertInFlight(rows: Insertable<DeliveriesTable>[], terminals: TerminalClaim[] = []): Promise<void> {
    const landed: Promise<void>[] = rows.map((row) => this.hold(row));
    if (terminals.length > 0) landed.push(this.group.add([{ rows: [], records: [], terminals }]));
    if (rows.length === 0) return Promise.all(landed).then(() => undefined);
    const deadline = setTimeout(() => {
      for (const row of rows) this.release(row.id as string);
    }, FIRST_ATTEMPT_HOLD_MS);
    return Promise.all(landed).then(
      () => clearTimeout(deadline),
      (error: unknown) => {
        clearTimeout(deadline);
        throw error;
      },
    );
  }

  /**
   * Resolves once the delivery is in the database: one held for its first attempt is written now,
   * without it (for a delivery that will not be attempted now: paused, rate limited, gone).
   */
  written(deliveryId: string): Promise<void> {
    const held = this.held.get(deliveryId);
    if (!held) return Promise.resolve();
    this.release(deliveryId);
    return held.landed;
  }

  /** Resolves once the attempt and its delivery's new state are durable. */
  record(record: AttemptRecord): Promise<void> {
    const held = this.take(record.attempt.delivery_id);
    // A delivery still held goes in with its first attempt: one row, already showing it. (One
    // already released is ahead in the group's order, so its record follows it.)
    const write = this.group.add([{ rows: held ? [held.row] : [], records: [record], terminals: [] }]);
    if (held) {
      // A record Postgres refuses must not keep its delivery out (nor the event's acknowledgement).
      held.land(write.catch((error: unknown) => (isDataError(error) ? this.group.add([{ rows: [held.row], records: [], terminals: [] }]) : Promise.reject(error))));
    }
    return write;
  }

  private hold(row: Insertable<DeliveriesTable>): Promise<void> {
    const id = row.id as string;
    let land!: (written: Promise<void>) => void;
    const landed = new Promise<void>((resolve) => (land = resolve));
    const forget = () => {
      if (this.held.get(id)?.landed === landed) this.held.delete(id);
    };
    // Kept until written, so `written` can wait for one released a moment ago.
    landed.then(forget, forget);
    this.held.set(id, { row, released: false, land, landed });
    return landed;
  }

  /** Hands a held delivery to the group without an attempt. */
  private release(id: string): void {
    const held = this.take(id);
    held?.land(this.group.add([{ rows: [held.row], records: [], terminals: [] }]));
  }

  /** The delivery if it still waits for its first attempt, now marked as released. */
  private take(id: string): Held | undefined {
    const held = this.held.get(id);
    if (!held || held.released) return undefined;
    held.released = true;
    return held;
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const id of this.held.keys()) this.release(id);
    await this.group.flush();
  }
}
