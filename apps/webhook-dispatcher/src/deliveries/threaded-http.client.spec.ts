import { ThreadedHttpClient } from './threaded-http.client';

/**
 * A stand-in worker speaking the protocol of `webhook-http.worker.ts` (the real one is compiled
 * JavaScript and runs in the end-to-end tests): it answers each post with its URL as the excerpt,
 * after 300 ms for a URL containing "slow"; a URL containing "die" ends the thread at once. On
 * close it answers what is under way first, as the real one does (its agent closes after them).
 */
const STAND_IN = `
  const { parentPort, workerData } = require('node:worker_threads');
  let sent = 0;
  const underWay = new Set();
  parentPort.on('message', (message) => {
    if (message.close) {
      return Promise.all(underWay).then(() => parentPort.postMessage({ closed: true }));
    }
    parentPort.postMessage({ results: [], counts: { connected: 0, waiting: message.posts.length } });
    for (const [id, url] of message.posts) {
      if (url.includes('die')) process.exit(3);
      const answer = new Promise((resolve) => setTimeout(resolve, url.includes('slow') ? 300 : 0)).then(() => {
        sent++;
        underWay.delete(answer);
        const result = { ok: true, statusCode: 200, durationMs: 1, responseExcerpt: url + ' ' + workerData.timeoutMs, error: null, permanent: false, retryAfterMs: null };
        parentPort.postMessage({ results: [[id, result]], counts: { connected: sent, waiting: 0 } });
      });
      underWay.add(answer);
    }
  });
  parentPort.postMessage({ ready: true });
`;

/** A worker that never gets going (a broken build): it ends before saying it is ready. */
const BROKEN = `process.exit(1);`;

const OPTIONS = { allowedCidrs: [], timeoutMs: 250, connectionsPerOrigin: 1 };

describe('ThreadedHttpClient (a real worker thread, stand-in sender)', () => {
  const warnings: string[] = [];
  const logger = { warn: (message: string) => warnings.push(message) };
  let client: ThreadedHttpClient;

  beforeEach(() => {
    warnings.length = 0;
  });

  afterEach(() => client.close());

  describe('with a worker that works', () => {
    beforeEach(() => {
      client = new ThreadedHttpClient({ source: STAND_IN }, OPTIONS, logger);
      return client.ready(5_000);
    });

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

    it('fails the attempts in flight as lost when the worker dies, puts back what comes meanwhile, then sends from a new worker', async () => {
      const inFlight = client.post('http://a/slow', {}, '');
      // Posted in a later turn, so in a batch of its own: the worker dies on reading it.
      await new Promise((resolve) => setImmediate(resolve));
      const dying = client.post('http://a/die', {}, '');
      const [first, second] = await Promise.all([inFlight, dying]);
      for (const result of [first, second]) {
        expect(result).toMatchObject({ ok: false, statusCode: null, permanent: false, lost: true });
        expect(result.notSent).toBeUndefined();
        expect(result.error).toMatch(/the HTTP worker stopped \(exited with code 3\)/);
      }
      expect(warnings).toEqual([expect.stringMatching(/stopped \(exited with code 3\) with 2 attempt\(s\) in flight, failed as lost attempts; another starts in 100 ms/)]);
      expect(client.counts()).toEqual({ connected: 0, waiting: 0 });

      // Nothing goes out until the next worker is up: not an attempt.
      expect(await client.post('http://a/meanwhile', {}, '')).toMatchObject({ ok: false, notSent: true, error: 'not sent: the HTTP worker is restarting' });
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(await client.post('http://a/after', {}, '')).toMatchObject({ ok: true, responseExcerpt: 'http://a/after 250' });
    });

    it('lets the worker answer what is under way on close, then refuses new posts', async () => {
      const underWay = client.post('http://a/slow', {}, '');
      await new Promise((resolve) => setImmediate(resolve));
      const started = Date.now();
      await client.close();
      // Well inside the bound (2 × 250 + 1,000 ms): closed when the worker said so.
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(await underWay).toMatchObject({ ok: true, responseExcerpt: 'http://a/slow 250' });
      expect(await client.post('http://a/1', {}, '')).toMatchObject({ ok: false, error: 'the HTTP worker is closing' });
      expect(warnings).toEqual([]);
    });
  });

  describe('with a worker that never starts', () => {
    beforeEach(() => {
      client = new ThreadedHttpClient({ source: BROKEN }, OPTIONS, logger);
    });

    it('is never ready, puts attempts back unsent, and restarts ever more slowly', async () => {
      await expect(client.ready(1_000)).rejects.toThrow('the HTTP worker did not start within 1000 ms');
      // Stopped at once, then after waits of 100, 200 and 400 ms: four or five starts in a second, not dozens.
      expect(warnings.length).toBeGreaterThanOrEqual(3);
      expect(warnings.length).toBeLessThanOrEqual(5);
      expect(warnings.at(-1)).toMatch(/stopped \(exited with code 1\) with 0 attempt\(s\) in flight.*another starts in \d+ ms/);
      const results = await Promise.all([client.post('http://a/1', {}, ''), client.post('http://a/2', {}, '')]);
      for (const result of results) expect(result.notSent === true || result.lost === true).toBe(true);
    });
  });
});
