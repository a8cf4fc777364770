import { Agent, Dispatcher } from 'undici';
import { UrlPolicy, UrlPolicyError } from '@minoots/url-policy';
import type { DeliveryHttp } from './delivery-http';

export const RESPONSE_EXCERPT_BYTES = 1024;

export interface HttpAttemptResult {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  responseExcerpt: string | null;
  error: string | null;
  /** The target can never succeed as it is (refused by policy, malformed URL): do not retry. */
  permanent: boolean;
  retryAfterMs: number | null;
  /**
   * Nothing was sent: every connection to the receiver stayed busy with earlier attempts for the
   * attempt's whole time. Not an attempt — the receiver never saw it — so it is put off, not counted.
   */
  notSent?: true;
  /**
   * The thread sending it stopped before answering (see ThreadedHttpClient): it may have reached
   * the receiver, so it is an attempt, but it says nothing of the receiver's health.
   */
  lost?: true;
}

export interface WebhookHttpClientOptions {
  /** Connections kept to one receiver (origin); requests beyond them wait for a free one. */
  connectionsPerOrigin?: number;
  /** How often attempts past their deadline are looked for. */
  sweepIntervalMs?: number;
}

function findPolicyError(error: unknown): UrlPolicyError | undefined {
  for (let e = error as { cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e instanceof UrlPolicyError || (e as { code?: string }).code === 'ERR_URL_POLICY') return e as UrlPolicyError;
  }
  return undefined;
}

// RFC 9110: Retry-After is delay-seconds or an HTTP-date (IMF-fixdate, or the obsolete RFC 850 and
// asctime forms). Date.parse alone is far more lenient (V8 reads "1.5" as 2001-01-05 and "retry 2099"
// as 2099-01-01), and reads asctime, which carries no zone, as local time though HTTP dates are GMT.
const IMF_FIXDATE_OR_RFC850 = /^[A-Za-z]{3,9}, \d{1,2}[ -][A-Za-z]{3}[ -]\d{2}(?:\d{2})? \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME_DATE = /^[A-Za-z]{3} [A-Za-z]{3} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return null;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = IMF_FIXDATE_OR_RFC850.test(text) ? Date.parse(text) : ASCTIME_DATE.test(text) ? Date.parse(`${text} GMT`) : Number.NaN;
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/**
 * POSTs deliveries over a keep-alive pool. Every connection resolves its host through the URL
 * policy at connect time, so a hostname that later resolves to a private address is still refused.
 */
interface InFlight {
  /** The end of the wait for a connection; once the request is handed to one, the end of the attempt. */
  deadline: number;
  /** When it got a connection (it is on the wire, or connecting); unset while it waits in its origin's lane. */
  connectedAt?: number;
  controller?: Dispatcher.DispatchController;
  expire(): void;
}

/** One origin's requests: those handed to undici (at most one per connection), and those waiting for one. */
interface Lane {
  active: number;
  /** In arrival order; each starts its request, or says it no longer wants to (ended meanwhile). */
  waiting: (() => boolean)[];
}

export class WebhookHttpClient implements DeliveryHttp {
  private readonly agent: Agent;
  /** Attempts under way; a sweep each second ends those past their deadline, wherever they are. */
  private readonly inFlight = new Set<InFlight>();
  private readonly lanes = new Map<string, Lane>();
  private readonly connections: number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly policy: UrlPolicy,
    private readonly timeoutMs: number,
    options: WebhookHttpClientOptions = {},
  ) {
    this.connections = options.connectionsPerOrigin ?? 256;
    this.agent = new Agent({
      connect: { lookup: policy.createLookup(), timeout: timeoutMs },
      keepAliveTimeout: 30_000,
      connections: this.connections,
    });
    // One interval for all attempts rather than a timer (and AbortSignal) each: an attempt ends at
    // most a sweep past its deadline, well inside its lease (see DeliverySender.leaseMs).
    this.sweeper = setInterval(() => {
      const now = performance.now();
      for (const attempt of this.inFlight) if (attempt.deadline <= now) attempt.expire();
    }, options.sweepIntervalMs ?? 1_000).unref();
  }

  /**
   * One attempt. Uses undici's dispatch API directly: the `request()` wrapper's body stream and
   * promise plumbing were a third of the dispatcher's HTTP cost, and nothing here needs them.
   *
   * Its time (`timeoutMs`) counts from when it gets a connection (connecting included, so a
   * receiver that stops accepting connections still uses up attempts). Requests beyond the
   * origin's connections wait here, in order, for as long again; one still waiting then comes back
   * `notSent`. Counted together, a burst to a slow receiver timed out requests that had only waited
   * (sent late, answered, and sent again; or never sent and counted until the delivery died). They
   * wait here rather than in undici's queue, whose requests can only be given up by aborting the
   * connection they are about to take.
   */
  post(url: string, headers: Record<string, string>, body: string): Promise<HttpAttemptResult> {
    const started = performance.now();
    const checked = this.policy.checkUrl(url);
    if (!checked.ok) {
      return Promise.resolve({ ok: false, statusCode: null, durationMs: 0, responseExcerpt: null, error: `target refused: ${checked.reason}`, permanent: true, retryAfterMs: null });
    }
    const origin = checked.url.origin;
    return new Promise<HttpAttemptResult>((resolve) => {
      let statusCode = 0;
      let retryAfter: string | string[] | undefined;
      const chunks: Buffer[] = [];
      let size = 0;
      let settled = false;
      const inFlight: InFlight = {
        deadline: started + this.timeoutMs,
        expire: () => {
          if (inFlight.connectedAt === undefined) notSent();
          // The status came in time and only the body is late: that is the answer, as when a dripping
          // body is cut at the deadline (whichever of the two notices first, this sweep or a chunk).
          else if (statusCode > 0) answered();
          else failed(Object.assign(new Error(`no complete answer within ${this.timeoutMs} ms`), { name: 'TimeoutError' }));
          inFlight.controller?.abort(new Error('attempt deadline passed'));
        },
      };
      this.inFlight.add(inFlight);
      // The first outcome wins (an answer, an error, the deadline); later ones are ignored.
      const finish = (outcome: () => HttpAttemptResult) => {
        if (settled) return;
        settled = true;
        this.inFlight.delete(inFlight);
        resolve(outcome());
        if (inFlight.connectedAt !== undefined) this.release(origin);
      };
      const notSent = () =>
        finish(() => ({
          ok: false,
          statusCode: null,
          durationMs: 0,
          responseExcerpt: null,
          error: `not sent: every connection to ${origin} stayed busy for ${this.timeoutMs} ms`,
          permanent: false,
          retryAfterMs: null,
          notSent: true,
        }));
      const elapsedMs = () => Math.round(performance.now() - (inFlight.connectedAt ?? started));
      const answered = () =>
        finish(() => {
          const ok = statusCode >= 200 && statusCode < 300;
          return {
            ok,
            statusCode,
            durationMs: elapsedMs(),
            // Postgres text cannot hold NUL: a receiver's binary answer must not make the record unwritable.
            responseExcerpt: size === 0 ? null : Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8').replaceAll('\u0000', '\uFFFD'),
            error: ok ? null : `receiver answered ${statusCode}`,
            permanent: false,
            retryAfterMs: parseRetryAfter(retryAfter),
          };
        });
      const failed = (error: unknown) => finish(() => this.failure(error, elapsedMs()));
      const handler: Dispatcher.DispatchHandler = {
        // Its presence is what marks this as a handler of undici's current (controller) API.
        onRequestStart: (controller) => {
          inFlight.controller = controller;
          if (settled) controller.abort(new Error('attempt deadline passed'));
        },
        onResponseStart: (_controller, code, responseHeaders) => {
          statusCode = code;
          retryAfter = responseHeaders['retry-after'];
        },
        onResponseData: (controller, chunk) => {
          if (size < RESPONSE_EXCERPT_BYTES) chunks.push(chunk);
          size += chunk.length;
          // Read no further than the excerpt (a receiver streaming a huge body must not tie us up),
          // nor past the attempt's time (one dripping a byte at a time).
          if (size >= RESPONSE_EXCERPT_BYTES || performance.now() > inFlight.deadline) {
            answered();
            controller.abort(new Error('response excerpt complete'));
          }
        },
        onResponseEnd: () => answered(),
        // A body that stopped coming after the status did: undici's body timeout, the same case.
        onResponseError: (_controller, error) => (statusCode > 0 && (error as { code?: string }).code === 'UND_ERR_BODY_TIMEOUT' ? answered() : failed(error)),
      };
      /** Takes a connection and sends; false if it no longer wants one (ended, or past its wait). */
      const send = (): boolean => {
        if (settled) return false;
        const now = performance.now();
        if (now >= inFlight.deadline) {
          notSent();
          return false;
        }
        inFlight.connectedAt = now;
        inFlight.deadline = now + this.timeoutMs;
        try {
          this.agent.dispatch(
            {
              origin,
              path: `${checked.url.pathname}${checked.url.search}`,
              method: 'POST',
              headers,
              body,
              headersTimeout: this.timeoutMs,
              bodyTimeout: this.timeoutMs,
            },
            handler,
          );
        } catch (error) {
          failed(error);
        }
        return true;
      };
      this.take(origin, send);
    });
  }

  /**
   * Attempts under way, by whether they have a connection yet: those waiting show a receiver
   * saturated (all its connections busy) before anything is put back unsent.
   */
  counts(): { connected: number; waiting: number } {
    let connected = 0;
    for (const attempt of this.inFlight) if (attempt.connectedAt !== undefined) connected++;
    return { connected, waiting: this.inFlight.size - connected };
  }

  /** Queues the request behind the origin's others; it starts at once if a connection is free. */
  private take(origin: string, send: () => boolean): void {
    let lane = this.lanes.get(origin);
    if (!lane) this.lanes.set(origin, (lane = { active: 0, waiting: [] }));
    lane.waiting.push(send);
    this.pump(origin, lane);
  }

  /** A connection's request ended: the next one still waiting takes it. */
  private release(origin: string): void {
    const lane = this.lanes.get(origin);
    if (!lane) return;
    lane.active--;
    this.pump(origin, lane);
  }

  /** Starts waiting requests, in order, while the origin has free connections. */
  private pump(origin: string, lane: Lane): void {
    while (lane.active < this.connections) {
      const send = lane.waiting.shift();
      if (!send) break;
      lane.active++;
      // A failed dispatch releases its connection itself, from within send().
      if (!send()) lane.active--;
    }
    if (lane.active === 0 && lane.waiting.length === 0) this.lanes.delete(origin);
  }

  private failure(error: unknown, durationMs: number): HttpAttemptResult {
    const policyError = findPolicyError(error);
    const message = policyError
      ? `target refused: ${policyError.message}`
      : (error as Error).name === 'TimeoutError' || /timeout/i.test((error as Error).message)
        ? `timed out after ${this.timeoutMs} ms`
        : `${(error as { code?: string }).code ?? (error as Error).name}: ${(error as Error).message}`;
    return { ok: false, statusCode: null, durationMs, responseExcerpt: null, error: message, permanent: Boolean(policyError), retryAfterMs: null };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.agent.close();
  }
}
