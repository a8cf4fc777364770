/**
 * The highest stream sequence this projection is known to have applied. Queries carry the
 * sequence of the caller's last write (`minSeq`) and wait for it, which is what makes a read right
 * after a write see that write.
 */
export class ProjectionWatermark {
  private applied = 0;
  private waiters: { seq: number; resolve: () => void }[] = [];

  constructor(
    /** Asked when the local view is behind: with several replicas, another one may have applied it. */
    private readonly sharedFloor: () => Promise<number>,
    private readonly sharedCheckIntervalMs = 25,
  ) {}

  get value(): number {
    return this.applied;
  }

  advance(seq: number): void {
    if (seq <= this.applied) return;
    this.applied = seq;
    const ready = this.waiters.filter((w) => w.seq <= seq);
    this.waiters = this.waiters.filter((w) => w.seq > seq);
    for (const w of ready) w.resolve();
  }

  /** Resolves `true` once `seq` is applied, or `false` after `timeoutMs` (the caller answers anyway). */
  async waitFor(seq: number | undefined, timeoutMs: number): Promise<boolean> {
    if (!seq || seq <= this.applied) return true;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const local = new Promise<boolean>((resolve) => {
        const waiter = { seq, resolve: () => resolve(true) };
        this.waiters.push(waiter);
        setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(false);
        }, Math.min(this.sharedCheckIntervalMs, Math.max(0, deadline - Date.now())));
      });
      if (await local) return true;
      // Bounded by the deadline: a hung NATS request must not stretch the caller's wait.
      const floor = await Promise.race([
        this.sharedFloor().catch(() => 0),
        new Promise<number>((resolve) => setTimeout(() => resolve(0), Math.max(0, deadline - Date.now()))),
      ]);
      // No waiter is registered while the shared floor is asked: an advance meanwhile shows only here.
      if (floor >= seq || seq <= this.applied) return true;
    }
    return seq <= this.applied;
  }
}
