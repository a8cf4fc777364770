import { HttpAttemptResult } from './webhook-http.client';

/** What the worker thread builds its `WebhookHttpClient` from. */
export interface HttpWorkerOptions {
  allowedCidrs: string[];
  timeoutMs: number;
  connectionsPerOrigin: number;
}

export type HttpWorkerPost = [id: number, url: string, headers: Record<string, string>, body: string];

/** To the worker: the posts asked for in one turn of the main thread's event loop, or close. */
export type ToHttpWorker = { posts: HttpWorkerPost[] } | { close: true };

/** From the worker: ready once it can send; the results of one turn of its loop and its connection counts; closed. */
export type FromHttpWorker =
  | { ready: true }
  | { results: [id: number, result: HttpAttemptResult][]; counts: { connected: number; waiting: number } }
  | { closed: true };

/** A failed attempt that got no answer from the receiver (the sending thread's error, or its stop). */
export function failedAttempt(error: string): HttpAttemptResult {
  return { ok: false, statusCode: null, durationMs: 0, responseExcerpt: null, error, permanent: false, retryAfterMs: null };
}
