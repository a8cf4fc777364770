import { ClaimedTrigger, parseTriggerKey, triggerKey, TriggerKeyParts } from './triggers.repository';
import { MinHeap } from './min-heap.util';

/** Where a published firing's event stands in the stream, and the firing time it carries. */
export interface PublishedFiring {
  seq: number;
  /** The loop's firing time, or an earlier one when deduplication answered with an event published before. */
  firedAt: Date;
}

export interface FiringLoopDeps {
  claimDue(horizon: Date, limit: number): Promise<ClaimedTrigger[]>;
  /** Publishes the events of these triggers and resolves with where each stands, or why it failed, in order. */
  publish(triggers: ClaimedTrigger[], firedAt: Date): Promise<(PublishedFiring | Error)[]>;
  /** Records them fired, each expiry ending its timer at its event's sequence. */
  markFired(triggers: ClaimedTrigger[], published: PublishedFiring[]): Promise<void>;
  /** Records as cancelled triggers this replica claimed and will not fire: their timer was cancelled. */
  cancelHeld(triggers: ClaimedTrigger[]): Promise<void>;
  /** Hands back this replica's claims, but for `keep` (published, their record maybe not landed). */
  releaseLeases(keep: TriggerKeyParts[]): Promise<void>;
  logger: { warn(message: string): void };
  onFired?(triggers: ClaimedTrigger[], firedAt: Date): void;
  onPublishFailed?(triggers: ClaimedTrigger[]): void;
}

export interface FiringLoopOptions {
  lookaheadMs: number;
  pollIntervalMs: number;
  claimBatch: number;
  /** Wait before publishing a trigger again after its publish failed (default 500 ms), doubled for each failure in a row up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  /** Longest wait between publishes of a trigger that keeps failing (default 5 s). */
  maxRetryDelayMs?: number;
  /** How long a forgotten timer's triggers are refused when a claim returns them (default 30 s). */
  forgetForMs?: number;
  /** How long a trigger whose record failed keeps its lease across a stop (default 10 min, the stream's deduplication window). */
  unrecordedForMs?: number;
}

interface Scheduled {
  trigger: ClaimedTrigger;
  key: string;
  /** When to (re)try; the trigger's own due time unless a publish failed. */
  atMs: number;
  /**
   * Its event may be in the stream: a publish was tried (a failed one too: the events of a batch
   * that failed as a whole, or one whose acknowledgement was lost, may have been stored), or the
   * replica that held it before may have published it. Such a trigger is published until that
   * succeeds, a cancel notwithstanding: deduplication answers with the event if it was stored, and
   * its place in the stream against the cancel's decides the timer.
   */
  maybeOut: boolean;
  /** Publishes of it that failed in a row. */
  failures: number;
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
  /** Keys being published: no longer held (a cancel cannot drop them), not yet fired. */
  private readonly firing = new Set<string>();
  /** Insertion-ordered by expiry, so pruning stops at the first live entry. */
  private readonly recentlyFired = new Map<string, number>();
  /**
   * Published, but the record failed: the key → until when its lease is kept across a stop, so that
   * whoever claims it next knows it may be out (`recovered`). Insertion-ordered like `recentlyFired`.
   */
  private readonly unrecorded = new Map<string, number>();
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
    prune(this.recentlyFired, Date.now());
    prune(this.unrecorded, Date.now());
    const maybeOut = [...this.held.values()].filter((s) => s.maybeOut).map((s) => s.key);
    const keep = new Set([...this.recentlyFired.keys(), ...this.unrecorded.keys(), ...maybeOut]);
    await this.deps.releaseLeases([...keep].map(parseTriggerKey)).catch(() => undefined);
  }

  /** A trigger may have become due within the window: look now rather than at the next poll. */
  wake(): void {
    if (this.running) void this.claim();
  }

  /**
   * The timer was cancelled: drop what is held for it and record those triggers cancelled, and
   * refuse its triggers for a while. A claim that read them while they were still pending can come
   * back after this call (or, on another replica, before the cancel is projected at all). What may
   * be out already (`Scheduled.maybeOut`) is published still: its event lands before or after the
   * cancel in the stream, and the first of the two ends the timer (`TriggersRepository.markFired`).
   */
  forget(timerId: string): void {
    const dropped: ClaimedTrigger[] = [];
    for (const [key, scheduled] of this.held) {
      if (scheduled.trigger.timerId !== timerId || scheduled.maybeOut) continue;
      this.held.delete(key);
      dropped.push(scheduled.trigger);
    }
    const now = Date.now();
    prune(this.forgotten, now);
    this.forgotten.delete(timerId);
    this.forgotten.set(timerId, now + (this.options.forgetForMs ?? 30_000));
    this.cancel(dropped);
  }

  private isForgotten(timerId: string): boolean {
    return (this.forgotten.get(timerId) ?? 0) > Date.now();
  }

  private cancel(triggers: ClaimedTrigger[]): void {
    if (triggers.length === 0) return;
    // Should this fail, the lease runs out and whoever claims the trigger next settles it (`hold`).
    this.deps.cancelHeld(triggers).catch((error: unknown) => {
      this.deps.logger.warn(`recording ${triggers.length} cancelled trigger(s) failed: ${(error as Error).message}`);
    });
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
        this.cancel(claimed.filter((trigger) => !this.hold(trigger)));
        if (claimed.length >= this.options.claimBatch) this.claimAgain = true;
      } catch (error) {
        this.deps.logger.warn(`claiming due triggers failed, retrying: ${(error as Error).message}`);
        return;
      } finally {
        this.arm();
      }
    } while (this.claimAgain && this.running);
  }

  /**
   * Holds a claimed trigger to fire it; false if it is not to be fired but recorded cancelled: its
   * timer was cancelled, and it cannot have been published yet. A recovered trigger may have been,
   * by the replica that held it before (whatever this replica's clock says of its due time): it is
   * published again, and deduplication answers with the original event if there was one.
   */
  private hold(trigger: ClaimedTrigger): boolean {
    const key = triggerKey(trigger);
    if (this.held.has(key) || this.firing.has(key) || this.recentlyFired.has(key)) return true;
    const cancelled = trigger.timerStatus === 'cancelled' || this.isForgotten(trigger.timerId);
    if (cancelled && !trigger.recovered) return false;
    const scheduled = { trigger, key, atMs: trigger.dueAt.getTime(), maybeOut: trigger.recovered, failures: 0 };
    this.held.set(key, scheduled);
    this.heap.push(scheduled);
    return true;
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
    for (const s of due) {
      this.held.delete(s.key);
      this.firing.add(s.key);
      s.maybeOut = true;
    }
    const firedAt = new Date();
    let outcomes: (PublishedFiring | Error)[];
    try {
      outcomes = await this.deps.publish(due.map((s) => s.trigger), firedAt);
    } catch (error) {
      outcomes = due.map(() => error as Error);
    }
    // Each event on its own: one that cannot be published (or whose acknowledgement was lost) must
    // not keep the others of its batch from being recorded.
    const out: Scheduled[] = [];
    const published: PublishedFiring[] = [];
    const failed: Scheduled[] = [];
    let error: Error | undefined;
    outcomes.forEach((outcome, i) => {
      if (outcome instanceof Error) {
        failed.push(due[i]);
        error ??= outcome;
      } else {
        out.push(due[i]);
        published.push(outcome);
      }
    });
    if (failed.length > 0) {
      this.deps.logger.warn(`publishing ${failed.length} of ${due.length} fired triggers failed, retrying: ${error?.message}`);
      this.deps.onPublishFailed?.(failed.map((s) => s.trigger));
      this.retryLater(failed);
    }
    if (out.length > 0) await this.record(out, published, firedAt);
  }

  private async record(out: Scheduled[], published: PublishedFiring[], firedAt: Date): Promise<void> {
    const triggers = out.map((s) => s.trigger);
    this.deps.onFired?.(triggers, firedAt);
    let recorded = true;
    try {
      await this.deps.markFired(triggers, published);
    } catch (error) {
      // The events are out; the lease runs out, and whoever claims them next publishes them again and
      // records what deduplication answers.
      recorded = false;
      this.deps.logger.warn(`recording ${triggers.length} fired triggers failed: ${(error as Error).message}`);
    }
    // A claim that read these rows before markFired landed may still return them: remember them a while.
    const now = Date.now();
    const forgetAt = now + this.options.lookaheadMs + this.options.pollIntervalMs;
    for (const s of out) {
      this.firing.delete(s.key);
      this.recentlyFired.set(s.key, forgetAt);
      if (!recorded) this.unrecorded.set(s.key, now + (this.options.unrecordedForMs ?? 600_000));
    }
    prune(this.recentlyFired, now);
    prune(this.unrecorded, now);
  }

  /**
   * Held again, to be published again: a cancel meanwhile notwithstanding (`Scheduled.maybeOut`).
   * Backing off, so an event that cannot be published (or NATS down) is not retried twice a second.
   */
  private retryLater(due: Scheduled[]): void {
    const now = Date.now();
    const base = this.options.retryDelayMs ?? 500;
    for (const s of due) {
      this.firing.delete(s.key);
      const delay = Math.min(base * 2 ** s.failures, this.options.maxRetryDelayMs ?? 5_000);
      const again = { ...s, atMs: now + delay, failures: s.failures + 1 };
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
