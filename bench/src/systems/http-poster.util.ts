import { Agent, request } from 'undici';

/** Whole-request budget: connect, send, headers and body must all be done within this. */
export const POST_TIMEOUT_MS = 10_000;

/** The non-2xx answer a peer's retry logic reacts to. */
export class HttpPostError extends Error {
  constructor(
    readonly url: string,
    readonly statusCode: number,
  ) {
    super(`POST ${url} answered ${statusCode}`);
    this.name = 'HttpPostError';
  }
}

/**
 * What every peer's worker does when a job comes due: POST the JSON body to the URL.
 * One keep-alive undici Agent per system, so the peers pay the same (small) HTTP cost as MINOOTS'
 * dispatcher and the benchmark measures scheduling, not TCP handshakes.
 */
export class HttpPoster {
  private readonly agent: Agent;
  /** Aborts every request still in flight when close() runs out of patience. */
  private readonly aborter = new AbortController();
  private readonly inFlight = new Set<Promise<number>>();
  private closing?: Promise<void>;

  constructor(options: { connections?: number } = {}) {
    this.agent = new Agent({
      connections: options.connections ?? 64,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
      connectTimeout: POST_TIMEOUT_MS,
      headersTimeout: POST_TIMEOUT_MS,
      bodyTimeout: POST_TIMEOUT_MS,
    });
  }

  /** Resolves once a 2xx answer is fully read; throws on non-2xx, network errors, after 10 s and after close(). */
  async post(url: string, body: unknown): Promise<number> {
    if (this.closing) throw new Error('HttpPoster is closed');
    const sent = this.send(url, body);
    this.inFlight.add(sent);
    try {
      return await sent;
    } finally {
      this.inFlight.delete(sent);
    }
  }

  /**
   * Lets requests in flight finish for at most `graceMs`, then aborts them and tears the sockets
   * down, so a peer's graceful shutdown (which waits for its running jobs) cannot hang on a POST.
   */
  close(graceMs = 2_000): Promise<void> {
    this.closing ??= this.shutdown(graceMs);
    return this.closing;
  }

  private async send(url: string, body: unknown): Promise<number> {
    const res = await request(url, {
      method: 'POST',
      dispatcher: this.agent,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.any([this.aborter.signal, AbortSignal.timeout(POST_TIMEOUT_MS)]),
    });
    // Always drain the body, or the keep-alive socket is not handed back to the pool.
    await res.body.dump();
    if (res.statusCode < 200 || res.statusCode >= 300) throw new HttpPostError(url, res.statusCode);
    return res.statusCode;
  }

  private async shutdown(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...this.inFlight]),
      new Promise((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    this.aborter.abort(new Error('HttpPoster closed'));
    // destroy(), not close(): undici's close() waits for requests in flight, and a destroy() issued
    // after a close() no longer aborts them.
    await this.agent.destroy();
  }
}
