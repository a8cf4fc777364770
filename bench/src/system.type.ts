/**
 * A system under test: something that can be told "at this instant, POST this body to that URL"
 * and then does it. MINOOTS does it with timers; the peers with delayed jobs and a worker.
 */
export interface ScheduledPost {
  /** Unique per job; receivers echo it back to match arrivals to due times. */
  id: string;
  /** Epoch milliseconds at which the POST is due. */
  dueAt: number;
  url: string;
  body: Record<string, unknown>;
}

export interface BenchSystem {
  readonly name: string;
  /** How this system is tuned for low latency (reported next to its figures). */
  readonly settings: string;
  /** Roughly how long registering one post takes (ms), to choose how far ahead posts are due. */
  readonly registerMsPerPost?: number;
  start(): Promise<void>;
  /** Registers the posts; resolves when all are accepted (durably, as the system defines it). */
  schedule(posts: ScheduledPost[]): Promise<void>;
  stop(): Promise<void>;
}
