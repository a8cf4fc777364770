import { Worker } from 'node:worker_threads';
import { DeliveryHttp } from './delivery-http';
import { failedAttempt, FromHttpWorker, HttpWorkerOptions, HttpWorkerPost, ToHttpWorker } from './http-worker.protocol';
import { HttpAttemptResult } from './webhook-http.client';

/** How the worker is started: a compiled script's path, or (tests) source to evaluate. */
export type HttpWorkerScript = { path: string } | { source: string };

/** Waits before starting another worker after one stopped: doubling per stop in a row, up to 5 s. */
const RESTART_DELAY_MS = 100;
const RESTART_DELAY_MAX_MS = 5_000;

/**
 * Sends attempts from a worker thread. In a burst the dispatcher's one thread was the bottleneck
 * (busy ~83 % while the machine had a third of a core to spare); undici's request writes and
 * response parsing, a fifth of that thread's work, now run beside it. The main thread still
 * decides, signs and records; the worker only sends. Posts asked for in one turn of the event loop
 * cross as one message, and so do the results of one turn of the worker's.
 *
 * A worker that stops takes its attempts' answers with it: each ends as a failed attempt marked
 * `lost` (it may have reached the receiver; it says nothing of the receiver's health). Until
 * another worker is up (after a wait that doubles while workers keep stopping), posts come back
 * `notSent`: put back without using up an attempt, as nothing went out.
 */
export class ThreadedHttpClient implements DeliveryHttp {
  /** Unset from a worker's stop until the next one starts. */
  private worker?: Worker;
  /** Posted to the current worker, awaiting a result. */
  private readonly posted = new Map<number, (result: HttpAttemptResult) => void>();
  /** Asked for in this turn, not yet posted: they go to whichever worker is current then. */
  private outbox: { post: HttpWorkerPost; resolve: (result: HttpAttemptResult) => void }[] = [];
  private next = 0;
  private lastCounts = { connected: 0, waiting: 0 };
  private stopsInARow = 0;
  private restartTimer?: NodeJS.Timeout;
  private readonly firstReady: Promise<void>;
  private markReady!: () => void;
  private closing?: Promise<void>;

  constructor(
    private readonly script: HttpWorkerScript,
    private readonly options: HttpWorkerOptions,
    private readonly logger: { warn(message: string): void },
  ) {
    this.firstReady = new Promise((resolve) => (this.markReady = resolve));
    this.worker = this.spawn();
  }

  /** Resolves once a worker has started; rejects if none has within `timeoutMs`. */
  async ready(timeoutMs: number): Promise<void> {
    let bound: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      bound = setTimeout(() => reject(new Error(`the HTTP worker did not start within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.firstReady, late]);
    } finally {
      clearTimeout(bound);
    }
  }

  post(url: string, headers: Record<string, string>, body: string): Promise<HttpAttemptResult> {
    if (this.closing) return Promise.resolve(failedAttempt('the HTTP worker is closing'));
    if (!this.worker) return Promise.resolve(notSent());
    return new Promise((resolve) => {
      if (this.outbox.length === 0) setImmediate(() => this.flush());
      this.outbox.push({ post: [this.next++, url, headers, body], resolve });
    });
  }

  /** As the worker last reported them (with every batch of results, and each second). */
  counts(): { connected: number; waiting: number } {
    return this.lastCounts;
  }

  /** Lets the worker finish what it has under way (shutdown drains the attempts first), then stops it. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      clearTimeout(this.restartTimer);
      this.flush();
      const worker = this.worker;
      if (!worker) return resolve();
      const stop = () => void worker.terminate().finally(resolve);
      // Bounded: an attempt ends within two of its timeouts (see DeliverySender.leaseMs).
      const bound = setTimeout(stop, 2 * this.options.timeoutMs + 1_000);
      worker.on('message', (message: FromHttpWorker) => {
        if ('closed' in message) {
          clearTimeout(bound);
          stop();
        }
      });
      worker.once('exit', () => {
        clearTimeout(bound);
        resolve();
      });
      this.send(worker, { close: true });
    });
    return this.closing;
  }

  private flush(): void {
    const batch = this.outbox;
    this.outbox = [];
    if (batch.length === 0) return;
    if (!this.worker) {
      for (const { resolve } of batch) resolve(notSent());
      return;
    }
    for (const { post, resolve } of batch) this.posted.set(post[0], resolve);
    this.send(this.worker, { posts: batch.map((b) => b.post) });
  }

  private send(worker: Worker, message: ToHttpWorker): void {
    worker.postMessage(message);
  }

  private spawn(): Worker {
    const worker =
      'path' in this.script
        ? new Worker(this.script.path, { workerData: this.options })
        : new Worker(this.script.source, { eval: true, workerData: this.options });
    // A worker left running must not keep the process alive; shutdown closes it.
    worker.unref();
    worker.on('message', (message: FromHttpWorker) => {
      if (worker !== this.worker) return;
      if ('ready' in message) {
        this.stopsInARow = 0;
        this.markReady();
        return;
      }
      if (!('results' in message)) return;
      this.lastCounts = message.counts;
      for (const [id, result] of message.results) {
        const resolve = this.posted.get(id);
        this.posted.delete(id);
        resolve?.(result);
      }
    });
    // 'error' is followed by 'exit': the first of the two unsets this.worker, so the second is ignored.
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) => this.lost(worker, new Error(`exited with code ${code}`)));
    return worker;
  }

  private lost(worker: Worker, error: Error): void {
    if (worker !== this.worker) return;
    this.worker = undefined;
    const inFlight = [...this.posted.values()];
    this.posted.clear();
    this.lastCounts = { connected: 0, waiting: 0 };
    for (const resolve of inFlight) resolve({ ...failedAttempt(`the HTTP worker stopped (${error.message})`), lost: true });
    if (this.closing) return;
    const delay = Math.min(RESTART_DELAY_MS * 2 ** this.stopsInARow++, RESTART_DELAY_MAX_MS);
    this.logger.warn(
      `the delivery HTTP worker stopped (${error.message}) with ${inFlight.length} attempt(s) in flight, failed as lost attempts; another starts in ${delay} ms, and attempts meanwhile are put back unsent`,
    );
    this.restartTimer = setTimeout(() => {
      if (!this.closing) this.worker = this.spawn();
    }, delay);
    this.restartTimer.unref();
  }
}

function notSent(): HttpAttemptResult {
  return { ...failedAttempt('not sent: the HTTP worker is restarting'), notSent: true };
}
