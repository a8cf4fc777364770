import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { UrlPolicy } from '@minoots/url-policy';
import { RESPONSE_EXCERPT_BYTES, WebhookHttpClient } from './webhook-http.client';

describe('WebhookHttpClient (real HTTP on loopback)', () => {
  let server: Server;
  let base: string;
  const timers = new Set<NodeJS.Timeout>();
  let slowRequests = 0;
  let slowOpen = 0;
  let slowMostOpen = 0;
  const client = new WebhookHttpClient(new UrlPolicy({ allowedCidrs: ['127.0.0.0/8'] }), 500);
  // One connection, answers that take 2 s, 3 s to wait and 3 s to answer, checked every 50 ms.
  const oneConnection = new WebhookHttpClient(new UrlPolicy({ allowedCidrs: ['127.0.0.0/8'] }), 3_000, { connectionsPerOrigin: 1, sweepIntervalMs: 50 });
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.url === '/drip') {
          // Headers at once, then a byte every 200 ms: every chunk is inside the body timeout.
          res.writeHead(200, { 'content-type': 'text/plain' });
          const timer = setInterval(() => res.write('.'), 200);
          timers.add(timer);
          res.on('close', () => clearInterval(timer));
        } else if (req.url === '/stall') {
          // Headers at once, then nothing: only the deadline sweep can end it.
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.flushHeaders();
        } else if (req.url === '/slow') {
          slowRequests++;
          slowOpen++;
          slowMostOpen = Math.max(slowMostOpen, slowOpen);
          const timer = setTimeout(() => {
            slowOpen--;
            res.end('ok');
          }, 2_000);
          timers.add(timer);
        } else if (req.url === '/hang') {
          // Never answers: only the deadline sweep can end it.
        } else if (req.url === '/binary') {
          res.end(Buffer.from([0x6f, 0x6b, 0x00, 0x21]));
        } else {
          res.end('x'.repeat(RESPONSE_EXCERPT_BYTES * 4));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const timer of timers) clearInterval(timer);
    await Promise.all([client.close(), oneConnection.close(), ...closers.map((close) => close())]);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('stops reading an answer that drips past the deadline, keeping the status it gave in time', async () => {
    const started = Date.now();
    const result = await client.post(`${base}/drip`, { 'content-type': 'application/json' }, '{}');
    expect(result).toMatchObject({ ok: true, statusCode: 200 });
    expect(result.responseExcerpt).toMatch(/^\.+$/);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('keeps the status of an answer whose body never comes, once the deadline passes', async () => {
    const started = performance.now();
    const result = await client.post(`${base}/stall`, { 'content-type': 'application/json' }, '{}');
    expect(result).toMatchObject({ ok: true, statusCode: 200, responseExcerpt: null, error: null });
    expect(performance.now() - started).toBeGreaterThanOrEqual(500);
  });

  it('keeps only the first kilobyte of a large answer', async () => {
    const result = await client.post(`${base}/large`, { 'content-type': 'application/json' }, '{}');
    expect(result).toMatchObject({ ok: true, statusCode: 200 });
    expect(result.responseExcerpt).toHaveLength(RESPONSE_EXCERPT_BYTES);
  });

  it('records an answer holding NUL bytes as text Postgres can store', async () => {
    const result = await client.post(`${base}/binary`, { 'content-type': 'application/json' }, '{}');
    expect(result.responseExcerpt).toBe('ok\uFFFD!');
  });

  it('times an attempt from when it gets a connection, and sends nothing that waited out its time for one', async () => {
    const post = () => oneConnection.post(`${base}/slow`, { 'content-type': 'application/json' }, '{}');
    // Queued in this order on the one connection: sent at 0 s and at 2 s; the third would go at 4 s.
    const posts = Promise.all([post(), post(), post()]);
    expect(oneConnection.counts()).toEqual({ connected: 1, waiting: 2 });
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(oneConnection.counts()).toEqual({ connected: 1, waiting: 1 });
    const [first, second, third] = await posts;
    expect(oneConnection.counts()).toEqual({ connected: 0, waiting: 0 });
    expect(first).toMatchObject({ ok: true, statusCode: 200 });
    // It waited 2 s for the connection, then took 2 s: within its 3 s, counted from the sending.
    expect(second).toMatchObject({ ok: true, statusCode: 200 });
    expect(second.durationMs).toBeGreaterThanOrEqual(1_900);
    expect(second.durationMs).toBeLessThan(3_000);
    expect(third).toMatchObject({ ok: false, notSent: true, statusCode: null });
    expect(third.error).toMatch(/^not sent: every connection to http:\/\/127\.0\.0\.1:\d+ stayed busy for 3000 ms$/);
    // The connection came free after the third gave up: it must not go out then.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(slowRequests).toBe(2);
    expect(slowMostOpen).toBe(1);
  }, 15_000);

  it('does not send a request that waited out its time behind one that is timing out', async () => {
    // A sweep once a second, as long as the attempts; posted 0.3 s after the sweeps start, both
    // deadlines fall between the first two sweeps. Whichever the sweep ends first, the waiting one
    // must not take the connection the other frees.
    const sweptEachSecond = new WebhookHttpClient(new UrlPolicy({ allowedCidrs: ['127.0.0.0/8'] }), 1_000, { connectionsPerOrigin: 1, sweepIntervalMs: 1_000 });
    closers.push(() => sweptEachSecond.close());
    await new Promise((resolve) => setTimeout(resolve, 300));
    const post = () => sweptEachSecond.post(`${base}/hang`, { 'content-type': 'application/json' }, '{}');
    const [onTheWire, waiting] = await Promise.all([post(), post()]);
    expect(onTheWire).toMatchObject({ ok: false, statusCode: null, error: 'timed out after 1000 ms' });
    expect(onTheWire.notSent).toBeUndefined();
    expect(waiting).toMatchObject({ ok: false, notSent: true });
  });
});
