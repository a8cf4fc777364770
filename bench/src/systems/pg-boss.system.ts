import PgBoss from 'pg-boss';
import { BenchSystem, ScheduledPost } from '../system.type';
import { HttpPoster } from './http-poster.util';
import { dropDatabase, recreateDatabase, withDatabase } from './scratch-database.util';
import { withinMs } from './within-ms.util';

export interface PgBossSystemOptions {
  /** Any URL on the Postgres server; the system creates (and drops) its own database there. */
  databaseUrl: string;
  /** Jobs fetched per poll (default 100). */
  batchSize?: number;
}

const DATABASE = 'minoots_bench_pgboss';
const QUEUE = 'minoots-bench-post';
/** pg-boss refuses anything lower: attorney.js `MIN_POLLING_INTERVAL_MS: 500` (default is 2 s). */
const POLLING_INTERVAL_SECONDS = 0.5;
const DEFAULT_BATCH_SIZE = 100;
/** Rows per `boss.insert()` call (one INSERT ... SELECT FROM json_to_recordset($1) each). */
const INSERT_CHUNK = 1_000;
const STOP_BUDGET_MS = 6_000;

/**
 * pg-boss 10 doing the benchmark's work: each post is a job with `startAfter = dueAt`, and one
 * polling worker fetches due jobs in batches and POSTs them.
 */
export class PgBossSystem implements BenchSystem {
  readonly name = 'pg-boss';
  readonly settings: string;

  private readonly adminUrl: string;
  private readonly url: string;
  private readonly batchSize: number;
  private boss?: PgBoss;
  private poster?: HttpPoster;
  private stopping = false;

  constructor(options: PgBossSystemOptions) {
    this.adminUrl = withDatabase(options.databaseUrl, 'postgres');
    this.url = withDatabase(options.databaseUrl, DATABASE);
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.settings =
      `pg-boss 10.4.2 on its own database (${DATABASE}); one queue (standard policy), one work() loop with ` +
      `pollingIntervalSeconds=${POLLING_INTERVAL_SECONDS} (the minimum pg-boss accepts: MIN_POLLING_INTERVAL_MS=500, default 2 s) ` +
      `and batchSize=${this.batchSize} (jobs claimed per poll with SKIP LOCKED, POSTed in parallel; after a batch the loop ` +
      `sleeps only what is left of the 0.5 s, or re-polls at once if the batch took longer). A job whose start_after has ` +
      `passed is only seen by the next poll (pg-boss has no wake-up for due jobs), so expected lateness is about ` +
      `U(0, 500 ms) plus one fetch query. Lower latency would need extra work() loops on the same queue started at ` +
      `staggered offsets, which pg-boss does not document as a latency knob, so none is used. Scheduling: boss.insert() ` +
      `bulk inserts of ${INSERT_CHUNK} jobs with startAfter=new Date(dueAt). Retries: pg-boss defaults (retryLimit 2, ` +
      `retryDelay 0); a non-2xx or timed-out POST fails only its own job (boss.fail), the rest of the batch completes. ` +
      `Cron/clock monitor off (schedule: false); maintenance on (default).`;
  }

  async start(): Promise<void> {
    this.stopping = false;
    await recreateDatabase(this.adminUrl, DATABASE);
    const poster = (this.poster = new HttpPoster());
    const boss = (this.boss = new PgBoss({ connectionString: this.url, schedule: false, max: 10 }));
    boss.on('error', (err) => {
      if (!this.stopping) console.error(`[pg-boss] ${err.message}`);
    });
    await boss.start();
    await boss.createQueue(QUEUE);
    await boss.work<ScheduledPost>(
      QUEUE,
      { pollingIntervalSeconds: POLLING_INTERVAL_SECONDS, batchSize: this.batchSize },
      async (jobs) => {
        const results = await Promise.allSettled(jobs.map((job) => poster.post(job.data.url, job.data.body)));
        const failed = jobs.filter((_, i) => results[i].status === 'rejected').map((job) => job.id);
        // pg-boss settles a batch all-or-nothing: throwing would fail (and so re-send) the jobs that
        // did arrive. Failing just the failed ones first leaves the others `active`, and pg-boss's
        // complete() only touches active jobs.
        if (failed.length > 0) {
          await boss.fail(QUEUE, failed);
        }
      },
    );
  }

  async schedule(posts: ScheduledPost[]): Promise<void> {
    const boss = this.boss;
    if (!boss) throw new Error('PgBossSystem: start() first');
    for (let i = 0; i < posts.length; i += INSERT_CHUNK) {
      await boss.insert(
        posts.slice(i, i + INSERT_CHUNK).map((post) => ({
          name: QUEUE,
          data: post,
          // Rounded up: a Date keeps whole milliseconds and must never fall before dueAt.
          startAfter: new Date(Math.ceil(post.dueAt)),
        })),
      );
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const boss = this.boss;
    const poster = this.poster;
    this.boss = undefined;
    this.poster = undefined;
    // In parallel with the graceful stop: POSTs still in flight get 2 s, then are aborted, so
    // the batch handlers return and pg-boss's wait for work in progress ends.
    const posterClosed = poster?.close(2_000).catch(() => undefined);
    try {
      if (boss) {
        // Graceful: waits (≤ 3 s) for batches in flight, then fails leftovers and closes the pool.
        const stopped = await withinMs(boss.stop({ graceful: true, wait: true, close: true, timeout: 3_000 }), STOP_BUDGET_MS);
        if (!stopped) console.error('[pg-boss] stop() did not finish in time; dropping the database anyway');
      }
    } finally {
      await posterClosed;
      // WITH (FORCE) ends any connection pg-boss still holds.
      await dropDatabase(this.adminUrl, DATABASE);
    }
  }
}
