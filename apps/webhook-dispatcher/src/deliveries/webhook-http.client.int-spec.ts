import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { UrlPolicy } from '@minoots/url-policy';
import { RESPONSE_EXCERPT_BYTES, WebhookHttpClient } from './webhook-http.client';

describe('WebhookHttpClient (real HTTP on loopback)', () => {
  let server: Server;
  let base: string;
  const timers = new Set<NodeJS.Timeout>();
  const client = new WebhookHttpClient(new UrlPolicy({ allowedCidrs: ['127.0.0.0/8'] }), 500);

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
    await client.close();
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
});
