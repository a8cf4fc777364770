import { Worker } from 'node:worker_threads';
import { DeliveryHttp } from './delivery-http';
import { FromHttpWorker, HttpWorkerOptions, HttpWorkerPost, ToHttpWorker } from './http-worker.protocol';
import { HttpAttemptResult } from './webhook-http.client';

/** How the worker is started: a compiled script's path, or (tests) source to evaluate. */
export type HttpWorkerScript = { path: string } | { source: string };

/**
 * Sends attempts from a worker thread. In a burst the dispatcher's one thread was the bottleneck
 * (busy ~83 % while the machine had a third of a core to spare); undici's request writes and
 * response parsing, a fifth of that thread's work, now run beside it. The main thread still
 * decides, signs and records; the worker only sends. Posts asked for in one turn of the event loop
 * cross as one message, and so do the results of one turn of the worker's.
 *
 * A worker that dies takes its attempts' answers with it: each ends as a failed attempt (it may
 * have reached the receiver, so it is not "not sent"), retried on the schedule, and a new worker
 * takes the next ones.
 */
export class ThreadedHttpClient implements DeliveryHttp {
  private worker: Worker;
  /** Posted to the current worker, awaiting a result. */
  private readonly posted = new Map<number, (result: HttpAttemptResult) => void>();
  /** Asked for in this turn, not yet posted: they go to whichever worker is current then. */
  private outbox: { post: HttpWorkerPost; resolve: (result: HttpAttemptResult) => void }[] = [];
  private next = 0;
  private lastCounts = { connected: 0, waiting: 0 };
  private closing?: Promise<void>;

  constructor(
    private readonly script: HttpWorkerScript,
    private readonly options: HttpWorkerOptions,
    private readonly logger: { warn(message: string): void },
  ) {
    this.worker = this.spawn();
  }

  post(url: string, headers: Record<string, string>, body: string): Promise<HttpAttemptResult> {
    if (this.closing) return Promise.resolve(failed('the HTTP worker is closing'));
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
      this.flush();
      const worker = this.worker;
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
    let ended = false;
    const lost = (error: Error) => {
      if (ended) return;
      ended = true;
      this.lost(worker, error);
    };
    worker.on('message', (message: FromHttpWorker) => {
      if (!('results' in message)) return;
      this.lastCounts = message.counts;
      for (const [id, result] of message.results) {
        const resolve = this.posted.get(id);
        this.posted.delete(id);
        resolve?.(result);
      }
    });
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`exited with code ${code}`)));
    return worker;
  }

  private lost(worker: Worker, error: Error): void {
    if (worker !== this.worker) return;
    const inFlight = [...this.posted.values()];
    this.posted.clear();
    this.lastCounts = { connected: 0, waiting: 0 };
    for (const resolve of inFlight) resolve(failed(`the HTTP worker stopped (${error.message})`));
    if (this.closing) return;
    this.logger.warn(`the delivery HTTP worker stopped (${error.message}) with ${inFlight.length} attempt(s) in flight, failed as attempts; starting another`);
    this.worker = this.spawn();
  }
}

function failed(error: string): HttpAttemptResult {
  return { ok: false, statusCode: null, durationMs: 0, responseExcerpt: null, error, permanent: false, retryAfterMs: null };
}
