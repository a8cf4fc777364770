/**
 * A value that is expensive to read (a count query behind a gauge), read at most once per
 * `maxAgeMs` however often it is asked for, so scrapes cannot hammer the database. Concurrent
 * readers share one load; a failed load keeps the last value and is not retried before `maxAgeMs`.
 */
export class CachedValue<T> {
  private value: T | undefined;
  private loadedAt = Number.NEGATIVE_INFINITY;
  private loading?: Promise<void>;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly maxAgeMs: number,
    private readonly onError: (error: unknown) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The last loaded value, undefined until a load has succeeded. */
  async get(): Promise<T | undefined> {
    if (this.now() - this.loadedAt >= this.maxAgeMs) {
      this.loading ??= this.load()
        .then((value) => {
          this.value = value;
        }, this.onError)
        .finally(() => {
          this.loadedAt = this.now();
          this.loading = undefined;
        });
      await this.loading;
    }
    return this.value;
  }
}
