import { Agent, Dispatcher } from 'undici';
import { UrlPolicy, UrlPolicyError } from '@minoots/url-policy';

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
  /** First the end of the wait for a connection, then, once the request goes out, the end of the attempt. */
  deadline: number;
  /** The request has gone out. */
  sent: boolean;
  controller?: Dispatcher.DispatchController;
  expire(): void;
}

export class WebhookHttpClient {
  private readonly agent: Agent;
  /** Attempts under way; a sweep each second ends those past their deadline, wherever they are. */
  private readonly inFlight = new Set<InFlight>();
  /** Requests on the wire, per origin: with all its connections so taken, a request still waiting waited on busy ones. */
  private readonly sent = new Map<string, number>();
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
      const expired = [...this.inFlight].filter((attempt) => attempt.deadline <= now);
      // Those still waiting first: whether they waited on busy connections is judged before this
      // sweep takes any request off the wire.
      for (const attempt of expired) if (!attempt.sent) attempt.expire();
      for (const attempt of expired) if (attempt.sent) attempt.expire();
    }, options.sweepIntervalMs ?? 1_000).unref();
  }

  /**
   * One attempt. Uses undici's dispatch API directly: the `request()` wrapper's body stream and
   * promise plumbing were a third of the dispatcher's HTTP cost, and nothing here needs them.
   *
   * Its time (`timeoutMs`) counts from when the request goes out. Waiting for one of the origin's
   * connections has a bound of its own, as long: counted together, a burst to a slow receiver timed
   * out requests that had waited in the queue (sent late, answered, and sent again; or never sent at
   * all and counted as attempts until the delivery died). A request still waiting at that bound
   * while every connection to the origin carries a request comes back `notSent`. Otherwise it was
   * waiting for a connection to be made, which the receiver is not taking: it fails as a timeout,
   * like any other attempt, so a receiver that stops accepting connections still uses up attempts.
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
      /** When the request went out; undefined while it waits for a connection. */
      let sentAt: number | undefined;
      const waitedOnBusyConnections = () => (this.sent.get(origin) ?? 0) >= this.connections;
      const inFlight: InFlight = {
        deadline: started + this.timeoutMs,
        sent: false,
        expire: () => {
          if (!inFlight.sent && waitedOnBusyConnections()) notSent();
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
        if (sentAt !== undefined) this.leftTheWire(origin);
        resolve(outcome());
      };
      /** From the request going out; an attempt that never got a connection, from the call. */
      const elapsedMs = () => Math.round(performance.now() - (sentAt ?? started));
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
          // Its wait is over (the sweep may not have come round yet): it is not sent now, or the
          // attempt could outlast its lease. It took the connection just freed, so it waited on busy ones.
          const now = performance.now();
          if (!settled && now >= inFlight.deadline) notSent();
          if (settled) {
            controller.abort(new Error('attempt deadline passed'));
            return;
          }
          sentAt = now;
          inFlight.sent = true;
          inFlight.deadline = sentAt + this.timeoutMs;
          this.sent.set(origin, (this.sent.get(origin) ?? 0) + 1);
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
    });
  }

  private leftTheWire(origin: string): void {
    const left = (this.sent.get(origin) ?? 1) - 1;
    if (left === 0) this.sent.delete(origin);
    else this.sent.set(origin, left);
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
