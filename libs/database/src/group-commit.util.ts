export interface GroupCommitOptions {
  /** How long items gather before a group is written (the first waits at most this long). */
  windowMs: number;
  /** Most items per write; one add() call is never split across two writes. */
  maxItems: number;
  /**
   * Milliseconds to wait before retrying a failed group, or undefined to give up and reject its
   * callers. Asked with the attempt number that just failed.
   */
  retryDelayMs?(attempt: number, error: unknown): number | undefined;
  /**
   * Says an error is the data's fault (it would fail again): the group is then written item by
   * item, so only what is at fault is rejected and the rest lands.
   */
  isPermanent?(error: unknown): boolean;
}

interface Pending<T> {
  items: T[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Group commit: writes asked for within a short window go to the database as one, in the order
 * they were asked for, the next group once the previous one is written. On this kind of machine a
 * round trip costs far more than the rows it carries, so a few milliseconds of waiting buy a lot.
 */
export class GroupCommit<T> {
  private queue: Pending<T>[] = [];
  private writing?: Promise<void>;
  private endWindow?: () => void;
  private windowMs: number;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly options: GroupCommitOptions,
  ) {
    this.windowMs = options.windowMs;
  }

  /** Resolves once these items are written (with whatever else shared their group). */
  add(items: T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.schedule();
    });
  }

  /** Writes what is queued without waiting for the window, and resolves when nothing is left. */
  async flush(): Promise<void> {
    this.windowMs = 0;
    this.endWindow?.();
    while (this.writing) await this.writing;
  }

  private schedule(): void {
    if (this.writing) return;
    this.writing = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.windowMs);
      this.endWindow = () => {
        clearTimeout(timer);
        resolve();
      };
    })
      .then(() => this.writeGroup())
      .finally(() => {
        this.writing = undefined;
        if (this.queue.length > 0) this.schedule();
      });
  }

  private async writeGroup(): Promise<void> {
    let size = 0;
    let take = 0;
    while (take < this.queue.length && (take === 0 || size + this.queue[take].items.length <= this.options.maxItems)) {
      size += this.queue[take].items.length;
      take++;
    }
    const group = this.queue.splice(0, take);
    await this.writeWithRetries(group);
  }

  private async writeWithRetries(group: Pending<T>[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.write(group.flatMap((p) => p.items));
        for (const p of group) p.resolve();
        return;
      } catch (error) {
        if (group.length > 1 && this.options.isPermanent?.(error)) {
          for (const p of group) await this.writeWithRetries([p]);
          return;
        }
        const delay = this.options.isPermanent?.(error) ? undefined : this.options.retryDelayMs?.(attempt, error);
        if (delay === undefined) {
          for (const p of group) p.reject(error);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }
}
