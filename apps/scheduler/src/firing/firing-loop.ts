import { ClaimedTrigger, triggerKey } from './triggers.repository';
import { MinHeap } from './min-heap.util';

export interface FiringLoopDeps {
  claimDue(horizon: Date, limit: number): Promise<ClaimedTrigger[]>;
  /** Publishes the events of these triggers; throws if any could not be published. */
  publish(triggers: ClaimedTrigger[], firedAt: Date): Promise<void>;
  markFired(triggers: ClaimedTrigger[], firedAt: Date): Promise<void>;
  releaseLeases(): Promise<void>;
  logger: { warn(message: string): void };
  onFired?(triggers: ClaimedTrigger[], firedAt: Date): void;
}

export interface FiringLoopOptions {
  lookaheadMs: number;
  pollIntervalMs: number;
  claimBatch: number;
  retryDelayMs?: number;
  /** How long a forgotten timer's triggers are refused when a claim returns them (default 30 s). */
  forgetForMs?: number;
}

interface Scheduled {
  trigger: ClaimedTrigger;
  key: string;
  /** When to (re)try; the trigger's own due time unless a publish failed. */
  atMs: number;
}

/**
 * Fires triggers at their due millisecond. Triggers due within the lookahead window are claimed
 * from Postgres in batches and held in a min-heap; one timeout is armed for the earliest, so firing
 * does not wait for the next poll. Polling only discovers new work, and `wake()` makes a newly
 * projected near-term timer visible at once.
 */
export class FiringLoop {
  private readonly heap = new MinHeap<Scheduled>((s) => s.atMs);
  private readonly held = new Map<string, Scheduled>();
  /** Insertion-ordered by expiry, so pruning stops at the first live entry. */
  private readonly recentlyFired = new Map<string, number>();
  /** Timer id → until when its triggers are refused; insertion-ordered by expiry like `recentlyFired`. */
  private readonly forgotten = new Map<string, number>();
  private fireTimer?: NodeJS.Timeout;
  private armedAt = Number.POSITIVE_INFINITY;
  private pollTimer?: NodeJS.Timeout;
  private claiming?: Promise<void>;
  private claimAgain = false;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;

  constructor(
    private readonly deps: FiringLoopDeps,
    private readonly options: FiringLoopOptions,
  ) {}

  get heldCount(): number {
    return this.held.size;
  }

  start(): void {
    this.running = true;
    void this.claim();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.fireTimer);
    clearTimeout(this.pollTimer);
    await this.claiming;
    await Promise.allSettled([...this.inFlight]);
    await this.deps.releaseLeases().catch(() => undefined);
  }

  /** A trigger may have become due within the window: look now rather than at the next poll. */
  wake(): void {
    if (this.running) void this.claim();
  }

  /**
   * The timer was cancelled: drop what is held for it, and refuse its triggers for a while. A claim
   * that read them while they were still pending can come back after this call (or, on another
   * replica, before the cancel is projected at all); a copy that slips through anyway is a
   * `timer.expired` after the `timer.cancelled`, which every consumer ignores (the first terminal
   * event wins), so this is about not firing, not about correctness.
   */
  forget(timerId: string): void {
    for (const [key, scheduled] of this.held) {
      if (scheduled.trigger.timerId === timerId) this.held.delete(key);
    }
    const now = Date.now();
    prune(this.forgotten, now);
    this.forgotten.delete(timerId);
    this.forgotten.set(timerId, now + (this.options.forgetForMs ?? 30_000));
  }

  private claim(): Promise<void> {
    if (this.claiming) {
      this.claimAgain = true;
      return this.claiming;
    }
    this.claiming = this.claimRounds().finally(() => {
      this.claiming = undefined;
      this.schedulePoll();
    });
    return this.claiming;
  }

  private async claimRounds(): Promise<void> {
    do {
      this.claimAgain = false;
      try {
        const horizon = new Date(Date.now() + this.options.lookaheadMs);
        const claimed = await this.deps.claimDue(horizon, this.options.claimBatch);
        for (const trigger of claimed) this.hold(trigger);
        if (claimed.length >= this.options.claimBatch) this.claimAgain = true;
      } catch (error) {
        this.deps.logger.warn(`claiming due triggers failed, retrying: ${(error as Error).message}`);
        return;
      } finally {
        this.arm();
      }
    } while (this.claimAgain && this.running);
  }

  private hold(trigger: ClaimedTrigger): void {
    const key = triggerKey(trigger);
    if (this.held.has(key) || this.recentlyFired.has(key) || (this.forgotten.get(trigger.timerId) ?? 0) > Date.now()) return;
    const scheduled = { trigger, key, atMs: trigger.dueAt.getTime() };
    this.held.set(key, scheduled);
    this.heap.push(scheduled);
  }

  private schedulePoll(): void {
    clearTimeout(this.pollTimer);
    if (!this.running) return;
    this.pollTimer = setTimeout(() => void this.claim(), this.options.pollIntervalMs);
  }

  private arm(): void {
    // Skip heap entries whose trigger was fired, forgotten or rescheduled since they were pushed.
    let top = this.heap.peek();
    while (top && this.held.get(top.key) !== top) {
      this.heap.pop();
      top = this.heap.peek();
    }
    if (!top || !this.running) return;
    if (this.fireTimer && top.atMs >= this.armedAt) return;
    clearTimeout(this.fireTimer);
    this.armedAt = top.atMs;
    this.fireTimer = setTimeout(() => this.fireDue(), Math.max(0, top.atMs - Date.now()));
  }

  private fireDue(): void {
    this.fireTimer = undefined;
    this.armedAt = Number.POSITIVE_INFINITY;
    const now = Date.now();
    const due: Scheduled[] = [];
    for (let top = this.heap.peek(); top && top.atMs <= now; top = this.heap.peek()) {
      this.heap.pop();
      if (this.held.get(top.key) === top) due.push(top);
    }
    if (due.length > 0) {
      const work = this.fire(due).finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
    }
    this.arm();
  }

  private async fire(due: Scheduled[]): Promise<void> {
    const triggers = due.map((s) => s.trigger);
    const firedAt = new Date();
    try {
      await this.deps.publish(triggers, firedAt);
    } catch (error) {
      this.deps.logger.warn(`publishing ${triggers.length} fired triggers failed, retrying: ${(error as Error).message}`);
      this.retryLater(due);
      return;
    }
    this.deps.onFired?.(triggers, firedAt);
    try {
      await this.deps.markFired(triggers, firedAt);
    } catch (error) {
      // The events are out; if this never lands, the lease runs out and a re-fire is deduplicated by event id.
      this.deps.logger.warn(`recording ${triggers.length} fired triggers failed: ${(error as Error).message}`);
    }
    // A claim that read these rows before markFired landed may still return them: remember them a while.
    const forgetAt = Date.now() + this.options.lookaheadMs + this.options.pollIntervalMs;
    for (const s of due) {
      if (this.held.get(s.key) === s) this.held.delete(s.key);
      this.recentlyFired.set(s.key, forgetAt);
    }
    prune(this.recentlyFired, Date.now());
  }

  private retryLater(due: Scheduled[]): void {
    const atMs = Date.now() + (this.options.retryDelayMs ?? 500);
    for (const s of due) {
      if (this.held.get(s.key) !== s) continue;
      const again = { ...s, atMs };
      this.held.set(s.key, again);
      this.heap.push(again);
    }
    this.arm();
  }
}

/** Drops the expired entries of a map kept in order of expiry. */
function prune(until: Map<string, number>, now: number): void {
  for (const [key, at] of until) {
    if (at > now) break;
    until.delete(key);
  }
}
