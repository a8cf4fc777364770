import { ThreadedHttpClient } from './threaded-http.client';

/**
 * A stand-in worker speaking the protocol of `webhook-http.worker.ts` (the real one is compiled
 * JavaScript and runs in the end-to-end tests): it answers each post with its URL as the excerpt,
 * after 300 ms for a URL containing "slow"; a URL containing "die" ends the thread at once.
 */
const STAND_IN = `
  const { parentPort, workerData } = require('node:worker_threads');
  let sent = 0;
  parentPort.on('message', (message) => {
    if (message.close) return setTimeout(() => parentPort.postMessage({ closed: true }), 100);
    parentPort.postMessage({ results: [], counts: { connected: 0, waiting: message.posts.length } });
    for (const [id, url] of message.posts) {
      if (url.includes('die')) process.exit(3);
      setTimeout(() => {
        sent++;
        const result = { ok: true, statusCode: 200, durationMs: 1, responseExcerpt: url + ' ' + workerData.timeoutMs, error: null, permanent: false, retryAfterMs: null };
        parentPort.postMessage({ results: [[id, result]], counts: { connected: sent, waiting: 0 } });
      }, url.includes('slow') ? 300 : 0);
    }
  });
`;

describe('ThreadedHttpClient (a real worker thread, stand-in sender)', () => {
  const warnings: string[] = [];
  const logger = { warn: (message: string) => warnings.push(message) };
  let client: ThreadedHttpClient;

  beforeEach(() => {
    warnings.length = 0;
    client = new ThreadedHttpClient({ source: STAND_IN }, { allowedCidrs: [], timeoutMs: 250, connectionsPerOrigin: 1 }, logger);
  });

  afterEach(() => client.close());

  it('routes each result back to its own post, with the options the worker was given', async () => {
    const results = await Promise.all(['http://a/1', 'http://b/slow', 'http://c/3'].map((url) => client.post(url, { h: '1' }, 'body')));
    expect(results.map((r) => r.responseExcerpt)).toEqual(['http://a/1 250', 'http://b/slow 250', 'http://c/3 250']);
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('reports the counts the worker last sent', async () => {
    expect(client.counts()).toEqual({ connected: 0, waiting: 0 });
    await client.post('http://a/1', {}, '');
    await client.post('http://a/2', {}, '');
    expect(client.counts()).toEqual({ connected: 2, waiting: 0 });
  });

  it('fails the attempts in flight when the worker dies, and sends the next ones from a new worker', async () => {
    const inFlight = client.post('http://a/slow', {}, '');
    // Posted in a later turn, so in a batch of its own: the worker dies on reading it.
    await new Promise((resolve) => setImmediate(resolve));
    const dying = client.post('http://a/die', {}, '');
    const [first, second] = await Promise.all([inFlight, dying]);
    for (const result of [first, second]) {
      expect(result).toMatchObject({ ok: false, statusCode: null, permanent: false });
      expect(result.error).toMatch(/the HTTP worker stopped \(exited with code 3\)/);
    }
    expect(warnings).toEqual([expect.stringMatching(/stopped \(exited with code 3\) with 2 attempt\(s\) in flight, failed as attempts; starting another/)]);
    expect(client.counts()).toEqual({ connected: 0, waiting: 0 });

    const after = await client.post('http://a/after', {}, '');
    expect(after).toMatchObject({ ok: true, responseExcerpt: 'http://a/after 250' });
  });

  it('waits on close for the worker to finish, then refuses new posts', async () => {
    const started = Date.now();
    await client.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    const refused = await client.post('http://a/1', {}, '');
    expect(refused).toMatchObject({ ok: false, error: 'the HTTP worker is closing' });
    expect(warnings).toEqual([]);
  });
});
