import { Pool } from 'pg';
import { Logger, makeWorkerUtils, run, Runner, WorkerUtils } from 'graphile-worker';
import { BenchSystem, ScheduledPost } from '../system.type';
import { HttpPoster } from './http-poster.util';
import { dropDatabase, recreateDatabase, withDatabase } from './scratch-database.util';
import { withinMs } from './within-ms.util';

export interface GraphileWorkerSystemOptions {
  /** Any URL on the Postgres server; the system creates (and drops) its own database there. */
  databaseUrl: string;
}

const DATABASE = 'minoots_bench_graphile';
const TASK = 'post';
const CONCURRENCY = 20;
/** Graphile's advice is a pool of at least max(10, concurrency + 2); two more as WorkerUtils shares it. */
const MAX_POOL_SIZE = CONCURRENCY + 4;
const POLL_INTERVAL_MS = 100;
const MAX_ATTEMPTS = 3;
/** Jobs per `addJobs` call (one `graphile_worker.add_jobs(...)` statement each). */
const ADD_CHUNK = 1_000;
const STOP_BUDGET_MS = 4_000;

/**
 * graphile-worker 0.17 doing the benchmark's work: each post is a job with `run_at = dueAt`,
 * and a worker pool of 20 POSTs them.
 */
export class GraphileWorkerSystem implements BenchSystem {
  readonly name = 'graphile-worker';
  readonly settings =
    `graphile-worker 0.17.3 on its own database (${DATABASE}); run() with concurrency=${CONCURRENCY} (pg pool of ` +
    `${MAX_POOL_SIZE}, shared with WorkerUtils), pollInterval=${POLL_INTERVAL_MS} ms (default 2000; no documented ` +
    `minimum), no localQueue (batching trades latency for DB load), noHandleSignals. Graphile uses LISTEN/NOTIFY ` +
    `('jobs:insert') to wake idle workers when jobs are added, but a job whose run_at is in the future is only picked ` +
    `up by polling: each idle worker runs its own get-job query every pollInterval, so an idle worker's lateness is ` +
    `about U(0, ${POLL_INTERVAL_MS} ms) plus one query; a worker that has just finished a job asks again at once, so ` +
    `under steady load lateness can be a few ms (p50 4.9 ms in one of our runs, 18-28 ms in others); ${CONCURRENCY} ` +
    `idle workers cost up to ` +
    `${Math.round((CONCURRENCY * 1000) / POLL_INTERVAL_MS)} queries/s. Scheduling: WorkerUtils.addJobs ` +
    `(graphile_worker.add_jobs) in chunks of ${ADD_CHUNK} with runAt=new Date(dueAt). Retries: ` +
    `maxAttempts=${MAX_ATTEMPTS} (default 25) with graphile's exponential backoff.`;

  private readonly adminUrl: string;
  private readonly url: string;
  private pool?: Pool;
  private runner?: Runner;
  private utils?: WorkerUtils;
  private poster?: HttpPoster;
  private stopping = false;
  /**
   * Only errors get through (failed tasks, connection trouble), and none once stop() has begun:
   * tasks aborted by the shutdown are expected to fail.
   */
  private readonly logger = new Logger((scope) => (level, message) => {
    if ((level as string) === 'error' && !this.stopping) {
      console.error(`[graphile-worker${scope.label ? ` ${scope.label}` : ''}] ${message}`);
    }
  });

  constructor(options: GraphileWorkerSystemOptions) {
    this.adminUrl = withDatabase(options.databaseUrl, 'postgres');
    this.url = withDatabase(options.databaseUrl, DATABASE);
  }

  async start(): Promise<void> {
    this.stopping = false;
    await recreateDatabase(this.adminUrl, DATABASE);
    const poster = (this.poster = new HttpPoster());
    // Our own pool, shared by the runner and WorkerUtils: graphile-worker does not await pool.end()
    // when it releases a pool it made, and stop() must not drop the database under live clients.
    const pool = (this.pool = new Pool({ connectionString: this.url, max: MAX_POOL_SIZE }));
    // Both listeners graphile-worker asks a pool it is given to have: idle and checked-out clients
    // can error (e.g. when stop() drops the database), and unhandled they would crash the process.
    const onPgError = (err: Error) => {
      if (!this.stopping) console.error(`[graphile-worker pg] ${err.message}`);
    };
    pool.on('error', onPgError);
    pool.on('connect', (client) => client.on('error', onPgError));
    this.utils = await makeWorkerUtils({ pgPool: pool, logger: this.logger });
    await this.utils.migrate();
    this.runner = await run({
      pgPool: pool,
      concurrency: CONCURRENCY,
      pollInterval: POLL_INTERVAL_MS,
      noHandleSignals: true,
      logger: this.logger,
      parsedCronItems: [],
      taskList: {
        [TASK]: async (payload) => {
          const post = payload as ScheduledPost;
          await poster.post(post.url, post.body);
        },
      },
    });
  }

  async schedule(posts: ScheduledPost[]): Promise<void> {
    const utils = this.utils;
    if (!utils) throw new Error('GraphileWorkerSystem: start() first');
    for (let i = 0; i < posts.length; i += ADD_CHUNK) {
      await utils.addJobs(
        posts.slice(i, i + ADD_CHUNK).map((post) => ({
          identifier: TASK,
          payload: post,
          // Rounded up: a Date keeps whole milliseconds and must never fall before dueAt.
          runAt: new Date(Math.ceil(post.dueAt)),
          maxAttempts: MAX_ATTEMPTS,
        })),
      );
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const { pool, runner, utils, poster } = this;
    this.pool = undefined;
    this.runner = undefined;
    this.utils = undefined;
    this.poster = undefined;
    // In parallel with the graceful stop: POSTs still in flight get 2 s, then are aborted, so the
    // running tasks settle (and record their failure) and the pool can shut down.
    const posterClosed = poster?.close(2_000).catch(() => undefined);
    try {
      if (runner) {
        // Graceful: lets running tasks finish and releases the LISTEN client (the pool is ours).
        if (!(await withinMs(runner.stop('bench finished'), STOP_BUDGET_MS))) {
          console.error('[graphile-worker] stop() did not finish in time; killing the runner');
          await withinMs(runner.kill('bench stop timed out'), 1_500);
        }
        await withinMs(runner.promise.catch(() => undefined), 500);
      }
      if (utils) await withinMs(Promise.resolve(utils.release()), 1_000);
      if (pool) await withinMs(pool.end(), 1_500);
    } finally {
      await posterClosed;
      // WITH (FORCE) ends any connection graphile-worker still holds.
      await dropDatabase(this.adminUrl, DATABASE);
    }
  }
}
