import { randomBytes } from 'node:crypto';
import { Job, Queue, Worker } from 'bullmq';
import Redis from 'ioredis';
import { BenchSystem, ScheduledPost } from '../system.type';
import { HttpPoster } from './http-poster.util';
import { withinMs } from './within-ms.util';

export interface BullMqSystemOptions {
  /** Default `redis://127.0.0.1:6379`. */
  redisUrl?: string;
}

/** BullMQ's advice for I/O-bound processors is a high per-worker concurrency rather than more workers. */
const CONCURRENCY = 50;
const ATTEMPTS = 3;
const BACKOFF_MS = 1_000;
/** Jobs per `addBulk` call (one MULTI of addDelayedJob scripts). */
const ADD_CHUNK = 1_000;
const CLOSE_BUDGET_MS = 3_000;

/**
 * BullMQ 6 on Redis doing the benchmark's work: each post is a delayed job (`delay = dueAt - now`),
 * and one Worker with concurrency 50 POSTs them.
 */
export class BullMqSystem implements BenchSystem {
  readonly name = 'bullmq';
  /** Redis's `hz`, read at start(): it sets how precisely a blocked BZPOPMIN times out. */
  private redisHz?: number;

  get settings(): string {
    return (
      `BullMQ 6.7 (ioredis) on local Redis; a fresh queue per run; one Worker, concurrency=${CONCURRENCY} (the processor ` +
      `only awaits a POST, so one process with high concurrency is the documented setup for I/O-bound jobs). ` +
      `Scheduling: queue.addBulk in chunks of ${ADD_CHUNK} with delay=max(0, ceil(dueAt - now)) and timestamp=now (so ` +
      `the job is due at exactly dueAt), jobId=post id, removeOnComplete. Delayed-job promotion: delayed jobs sit in a ` +
      `ZSET scored by due time (ms); there is no separate scheduler or poll interval since v2: the worker blocks on ` +
      `BZPOPMIN of the queue's marker key with a timeout equal to the time left until the earliest delayed job (fractional ` +
      `seconds on Redis >= 6, down to 1 ms on Redis >= 7.0.8, capped at 10 s), and on wake-up moveToActive promotes every ` +
      `due delayed job and takes one; so lateness is bounded by Redis's blocking-timeout precision, not by a polling ` +
      `period. Redis only checks blocked-client timeouts when its event loop wakes, at least every 1000/hz ms, so on a ` +
      `default Redis (hz 10) an idle worker sees a due job up to 100 ms late. A busy one is faster: after each job it ` +
      `calls moveToActive again, which promotes what has come due, so at 1,000 jobs/s lateness is often ~1 ms, and ` +
      `from run to run it swings between the two (p50 1 ms in one of our runs, 24-32 ms in others); hz of this Redis: ` +
      `${this.redisHz ?? 'unknown (read at start)'}, left as the server has it. BullMQ itself has no latency knob ` +
      `(drainDelay only applies when no delayed job exists). Retries: attempts=${ATTEMPTS}, exponential backoff from ` +
      `${BACKOFF_MS} ms (BullMQ's default is 1 attempt, i.e. no retry).`
    );
  }

  private readonly redisUrl: string;
  private queueName = '';
  private queue?: Queue<ScheduledPost>;
  private worker?: Worker<ScheduledPost>;
  private poster?: HttpPoster;
  private stopping = false;

  constructor(options: BullMqSystemOptions = {}) {
    this.redisUrl = options.redisUrl ?? 'redis://127.0.0.1:6379';
  }

  async start(): Promise<void> {
    this.stopping = false;
    this.queueName = `minoots-bench-${process.pid}-${randomBytes(4).toString('hex')}`;
    const poster = (this.poster = new HttpPoster());
    // Options, not client instances: BullMQ then owns (and closes) its connections. Workers need
    // maxRetriesPerRequest: null for their blocking connection; BullMQ enforces it anyway.
    const connection = { url: this.redisUrl, maxRetriesPerRequest: null };
    this.queue = new Queue<ScheduledPost>(this.queueName, { connection });
    this.queue.on('error', (err) => this.logError('queue', err));
    this.worker = new Worker<ScheduledPost>(
      this.queueName,
      async (job: Job<ScheduledPost>) => {
        await poster.post(job.data.url, job.data.body);
      },
      { connection, concurrency: CONCURRENCY, autorun: true },
    );
    this.worker.on('error', (err) => this.logError('worker', err));
    await Promise.all([this.queue.waitUntilReady(), this.worker.waitUntilReady()]);
    this.redisHz = await readRedisHz(this.redisUrl);
  }

  async schedule(posts: ScheduledPost[]): Promise<void> {
    const queue = this.queue;
    if (!queue) throw new Error('BullMqSystem: start() first');
    for (let i = 0; i < posts.length; i += ADD_CHUNK) {
      const now = Date.now();
      await queue.addBulk(
        posts.slice(i, i + ADD_CHUNK).map((post) => ({
          name: 'post',
          data: post,
          opts: {
            jobId: bullJobId(post.id),
            timestamp: now,
            delay: Math.max(0, Math.ceil(post.dueAt - now)),
            removeOnComplete: true,
            attempts: ATTEMPTS,
            backoff: { type: 'exponential', delay: BACKOFF_MS },
          },
        })),
      );
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const { queue, worker, poster } = this;
    this.queue = undefined;
    this.worker = undefined;
    this.poster = undefined;
    // In parallel with the worker's graceful close: POSTs still in flight get 2 s, then are aborted,
    // so the active jobs settle and close() can return.
    const posterClosed = poster?.close(2_000).catch(() => undefined);
    try {
      if (worker) {
        // Graceful close waits for jobs in flight; past the budget, force it.
        if (!(await withinMs(worker.close(), CLOSE_BUDGET_MS))) await withinMs(worker.close(true), 1_000);
      }
      if (queue) {
        try {
          await withinMs(queue.obliterate({ force: true }), CLOSE_BUDGET_MS);
        } finally {
          await withinMs(queue.close(), 1_500);
        }
      }
    } finally {
      await posterClosed;
    }
  }

  private logError(source: string, err: Error): void {
    if (!this.stopping) console.error(`[bullmq ${source}] ${err.message}`);
  }
}

/** `hz` from INFO server (undefined if it cannot be read; it only feeds the settings text). */
async function readRedisHz(url: string): Promise<number | undefined> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    const hz = /^hz:(\d+)/m.exec(await probe.info('server'))?.[1];
    return hz === undefined ? undefined : Number(hz);
  } catch {
    return undefined;
  } finally {
    probe.disconnect();
  }
}

/** BullMQ rejects custom ids that are integers or contain ':'; anything else is used as is. */
function bullJobId(id: string): string {
  return /^\d+$/.test(id) || id.includes(':') ? `post-${id.replace(/:/g, '_')}` : id;
}
