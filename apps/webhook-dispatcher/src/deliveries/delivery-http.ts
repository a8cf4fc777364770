import { HttpAttemptResult } from './webhook-http.client';

/**
 * Sends one attempt's request. `WebhookHttpClient` does it on the calling thread;
 * `ThreadedHttpClient` hands it to one on a worker thread (the default, `DELIVERY_HTTP=worker`).
 */
export interface DeliveryHttp {
  post(url: string, headers: Record<string, string>, body: string): Promise<HttpAttemptResult>;
  /** Attempts under way, by whether they have a connection yet. */
  counts(): { connected: number; waiting: number };
  close(): Promise<void>;
}

export const DELIVERY_HTTP = Symbol('DELIVERY_HTTP');
