interface HeldBatch<Row> {
  /** Rows not written yet, by id. */
  rows: Map<string, Row>;
  /** Their writes so far. */
  writes: Promise<void>[];
  timer: NodeJS.Timeout;
  /** Called once every row has gone to be written. */
  done(): void;
}

/**
 * New deliveries held back until their first attempts end, so that each is written once, already
 * showing that attempt. Written before it ends, a delivery is written again when it does: a non-HOT
 * update (the status leaves the due index), so the row and every one of its indexes twice. Under a
 * burst of firings that was nearly every delivery, and a third of Postgres's work per firing.
 *
 * Holding loses nothing: a batch of events is acknowledged only once all its deliveries are written,
 * so after a crash the events come again and plan the same deliveries under the same ids. A delivery
 * whose first attempt has not ended after `holdMs` is written as it is (pending, leased), and its
 * attempt is recorded as an update when it ends; `holdMs` also bounds how long a delivery in its
 * first attempt is missing from the API and how long its batch goes unacknowledged.
 */
export class FirstAttemptHold<Row extends { id: string }, Record> {
  private readonly held = new Map<string, HeldBatch<Row>>();

  constructor(
    private readonly write: (rows: Row[], records: Record[]) => Promise<void>,
    private readonly holdMs: number,
  ) {}

  /** Holds the rows; resolves once every one of them is written. */
  hold(rows: Row[]): Promise<void> {
    if (rows.length === 0) return Promise.resolve();
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const batch: HeldBatch<Row> = { rows: new Map(rows.map((r) => [r.id, r])), writes: [], timer: setTimeout(() => this.writeRest(batch), this.holdMs), done };
    for (const id of batch.rows.keys()) this.held.set(id, batch);
    return finished.then(() => Promise.all(batch.writes)).then(() => undefined);
  }

  /** The first attempt of a row ended: the row is written with it. Undefined if the row is not held. */
  attempted(id: string, record: Record): Promise<void> | undefined {
    return this.take(id, (row) => this.write([row], [record]));
  }

  /** Writes the row now, as it is, if it is held: something other than an attempt is about to change it. */
  release(id: string): Promise<void> | undefined {
    return this.take(id, (row) => this.write([row], []));
  }

  /** Writes every held row as it is (shutting down). */
  releaseAll(): void {
    for (const batch of new Set(this.held.values())) this.writeRest(batch);
  }

  private take(id: string, write: (row: Row) => Promise<void>): Promise<void> | undefined {
    const batch = this.held.get(id);
    if (!batch) return undefined;
    this.held.delete(id);
    const written = write(batch.rows.get(id)!);
    batch.rows.delete(id);
    batch.writes.push(written);
    if (batch.rows.size === 0) this.finish(batch);
    return written;
  }

  private writeRest(batch: HeldBatch<Row>): void {
    if (batch.rows.size === 0) return;
    // Only its own: another batch may hold the same delivery (an event seen twice while unacknowledged).
    for (const id of batch.rows.keys()) if (this.held.get(id) === batch) this.held.delete(id);
    batch.writes.push(this.write([...batch.rows.values()], []));
    batch.rows.clear();
    this.finish(batch);
  }

  private finish(batch: HeldBatch<Row>): void {
    clearTimeout(batch.timer);
    batch.done();
  }
}
