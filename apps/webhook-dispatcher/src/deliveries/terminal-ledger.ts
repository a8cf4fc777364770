import { SettledTerminal } from './timer-terminals.repository';

interface Entry extends SettledTerminal {
  /** No earlier than the timer's creation: an upper bound of its `timer.created` sequence. */
  createdBound: number;
}

/**
 * The first terminal event of each timer, as seen by this consumer during its current term, so
 * that a firing need not ask Postgres whether its timer was cancelled first.
 *
 * The ledger vouches for a timer created at or after its floor: every event of such a timer came
 * through this term, in stream order, and every terminal among them was recorded here. The floor
 * starts at the term's first sequence and rises past the creation of every timer it forgets (the
 * oldest entries go once it holds `capacity`), so memory stays bounded; the timers it can no longer
 * vouch for are settled in Postgres, which keeps every terminal for later terms.
 *
 * Forgetting happens only in `trim()`, between batches, and takes the longest-unchanged entries:
 * a terminal decided here is forgotten only once it is durable, as long as `capacity` (less the
 * tenth trimmed at once) exceeds the events a consumer may hold unacknowledged (its
 * `max_ack_pending`, 20,000): a batch is acknowledged only after its terminals are written.
 */
export class TerminalLedger {
  private readonly entries = new Map<string, Entry>();
  private floor = Number.POSITIVE_INFINITY;

  constructor(private readonly capacity = 100_000) {}

  /** A new term: what was seen before it may be stale (another replica may have led meanwhile). */
  startTerm(firstSeq: number): void {
    this.entries.clear();
    this.floor = firstSeq;
  }

  /** Whether the ledger alone knows if this timer has ended. */
  vouchesFor(createdSeq: number | undefined): boolean {
    return createdSeq !== undefined && createdSeq >= this.floor;
  }

  get(timerId: string): SettledTerminal | undefined {
    return this.entries.get(timerId);
  }

  /** Records a terminal unless an earlier one of the timer is known; returns the one that stands. */
  record(timerId: string, terminal: SettledTerminal, createdBound: number): SettledTerminal {
    const known = this.entries.get(timerId);
    if (known && known.seq <= terminal.seq) return known;
    const entry = { seq: terminal.seq, status: terminal.status, createdBound: Math.min(createdBound, known?.createdBound ?? createdBound) };
    // Re-inserted, so the order of the map stays the order of the last change.
    this.entries.delete(timerId);
    this.entries.set(timerId, entry);
    return entry;
  }

  /** Forgets the oldest tenth once the ledger holds more than its capacity. */
  trim(): void {
    if (this.entries.size > this.capacity) this.forgetOldest(Math.ceil(this.capacity / 10));
  }

  get size(): number {
    return this.entries.size;
  }

  private forgetOldest(count: number): void {
    let forgotten = 0;
    for (const [timerId, entry] of this.entries) {
      if (forgotten++ >= count) break;
      this.entries.delete(timerId);
      this.floor = Math.max(this.floor, entry.createdBound + 1);
    }
  }
}
