import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { GroupCommit, isDataError } from '@minoots/database';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { AttemptRecord, DeliveriesRepository } from './deliveries.repository';
import { NewDeliveryRow } from './new-delivery-row.util';
import { FirstAttemptHold } from './first-attempt-hold';
import { TerminalClaim } from './timer-terminals.repository';

/**
 * How long writes gather before a group is written. Nothing waits on these writes but the
 * acknowledgement of the events and the outcome events, so a few milliseconds buy larger groups.
 * At 1,000 firings a second,
 * 25 ms rather than 10 took a tenth off the whole system's CPU per firing (fewer, larger statements
 * and acknowledgements) and with it most of the lateness that contention caused; 50 gained nothing.
 */
const WRITE_WINDOW_MS = 25;
const MAX_RETRY_DELAY_MS = 5_000;

interface Write {
  rows: NewDeliveryRow[];
  records: AttemptRecord[];
  terminals: TerminalClaim[];
}

/**
 * The dispatcher's writes on the delivery path — new deliveries, timers' terminals and attempt records — grouped
 * into one statement per few milliseconds, in the order asked for, so an attempt is never
 * recorded before its delivery. New deliveries are held for their first attempts, so that most are
 * written once, with the attempt (see FirstAttemptHold). A group that fails for want of the database is retried (with
 * backoff) until it lands, and an event whose deliveries are not written is not acknowledged, so
 * it comes back; one that fails for its data is written item by item, and only the faulty item's
 * caller is told.
 */
@Injectable()
export class DeliveryWriter implements OnApplicationShutdown {
  private readonly logger = new Logger(DeliveryWriter.name);
  private stopping = false;
  private readonly group: GroupCommit<Write>;
  private readonly hold: FirstAttemptHold<NewDeliveryRow, AttemptRecord>;
  /** First-attempt records that could not go in with their deliveries. */
  private readonly refused = new Set<AttemptRecord>();

  constructor(@Inject(DISPATCHER_CONFIG) config: DispatcherConfig, deliveries: DeliveriesRepository) {
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
    this.hold = new FirstAttemptHold((rows, records) => this.writeHeld(rows, records), config.DELIVERY_FIRST_ATTEMPT_HOLD_MS);
  }

  /**
   * Resolves once the deliveries (already-present ones are left as they are) and the terminals
   * (each timer keeps its earliest) are durable.
   */
  insert(rows: NewDeliveryRow[], terminals: TerminalClaim[] = []): Promise<void> {
    if (this.stopping) return this.write({ rows, terminals });
    // Terminals are written at once: nothing about them waits for an attempt.
    const terminalsWritten = this.write({ terminals });
    return Promise.all([terminalsWritten, this.hold.hold(rows)]).then(() => undefined);
  }

  /** Resolves once the attempt and its delivery's new state are durable. */
  record(record: AttemptRecord): Promise<void> {
    const held = this.hold.attempted(record.attempt.delivery_id, record);
    if (!held) return this.write({ records: [record] });
    return held.then(() => {
      if (!this.refused.delete(record)) return;
      // Its delivery went in without it (see writeHeld): recorded alone, so its caller is told.
      return this.write({ records: [record] });
    });
  }

  /**
   * Writes the delivery now if it is held for its first attempt, for a change other than an attempt
   * (postponed, dead); resolves once it is written. Undefined if it is not held.
   */
  release(deliveryId: string): Promise<void> | undefined {
    return this.hold.release(deliveryId);
  }

  /** Writes every held delivery now, as it is (leadership lost, shutting down). */
  releaseAll(): void {
    this.hold.releaseAll();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.hold.releaseAll();
    await this.group.flush();
  }

  /**
   * Held deliveries with their first attempts' records. Resolves once the deliveries are in, which
   * is all their events' acknowledgement waits for: were a record ever refused for its data, the
   * delivery goes in alone (pending, leased: the sweeper takes it up after the lease) rather than
   * hold back every acknowledgement after it, and the record is left to `record()`.
   */
  private writeHeld(rows: NewDeliveryRow[], records: AttemptRecord[]): Promise<void> {
    return this.write({ rows, records }).catch(async (error: unknown) => {
      if (records.length === 0 || !isDataError(error)) throw error;
      await this.write({ rows });
      for (const record of records) this.refused.add(record);
    });
  }

  /** Queues one write, in order with the others; the parts left out are empty. */
  private write({ rows = [], records = [], terminals = [] }: Partial<Write>): Promise<void> {
    return rows.length + records.length + terminals.length === 0 ? Promise.resolve() : this.group.add([{ rows, records, terminals }]);
  }
}
