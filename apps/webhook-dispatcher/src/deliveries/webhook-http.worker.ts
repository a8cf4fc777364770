import { parentPort, workerData } from 'node:worker_threads';
import { UrlPolicy } from '@minoots/url-policy';
import { failedAttempt, FromHttpWorker, HttpWorkerOptions, ToHttpWorker } from './http-worker.protocol';
import { HttpAttemptResult, WebhookHttpClient } from './webhook-http.client';

/**
 * The worker thread's side of `ThreadedHttpClient`: a `WebhookHttpClient` of its own (its own
 * connection pool, the same URL policy and limits), results sent back once per turn of its loop.
 */
function serve(port: NonNullable<typeof parentPort>, options: HttpWorkerOptions): void {
  const client = new WebhookHttpClient(new UrlPolicy({ allowedCidrs: options.allowedCidrs }), options.timeoutMs, {
    connectionsPerOrigin: options.connectionsPerOrigin,
  });
  let results: [number, HttpAttemptResult][] = [];
  const reply = (message: FromHttpWorker) => port.postMessage(message);
  const flush = () => {
    const batch = results;
    results = [];
    reply({ results: batch, counts: client.counts() });
  };
  // The gauges also while nothing completes (a receiver holding every connection).
  const gauges = setInterval(() => reply({ results: [], counts: client.counts() }), 1_000);
  port.on('message', (message: ToHttpWorker) => {
    if ('close' in message) {
      clearInterval(gauges);
      // The agent closes once its requests are answered; their results go back before "closed".
      void client.close().finally(() => {
        flush();
        reply({ closed: true });
      });
      return;
    }
    for (const [id, url, headers, body] of message.posts) {
      // One attempt's error stays that attempt's: it must not end the thread and the others with it.
      let sent: Promise<HttpAttemptResult>;
      try {
        sent = client.post(url, headers, body);
      } catch (error) {
        sent = Promise.reject(error);
      }
      void sent
        .catch((error: unknown) => failedAttempt(String(error)))
        .then((result) => {
          if (results.length === 0) setImmediate(flush);
          results.push([id, result]);
        });
    }
  });
  reply({ ready: true });
}

if (!parentPort) throw new Error('webhook-http.worker runs as a worker thread (see ThreadedHttpClient)');
serve(parentPort, workerData as HttpWorkerOptions);
