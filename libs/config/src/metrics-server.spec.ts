import { Counter, Registry } from 'prom-client';
import { MetricsServer, startMetricsServer } from './metrics-server.util';

describe('startMetricsServer', () => {
  const registry = new Registry();
  new Counter({ name: 'test_things_total', help: 'Things.', registers: [registry] }).inc(3);
  let server: MetricsServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves the registry at /metrics on an ephemeral port of 127.0.0.1', async () => {
    server = await startMetricsServer({ port: 0, registry });
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(registry.contentType);
    expect(await response.text()).toContain('test_things_total 3');
  });

  it('answers /health with 200 or 503 and the checks, and 200 when there is nothing to check', async () => {
    let ok = true;
    server = await startMetricsServer({ port: 0, registry, health: async () => ({ ok, checks: { database: ok ? 'up' : 'down' } }) });
    const up = await fetch(`${server.url}/health`);
    expect(up.status).toBe(200);
    expect(await up.json()).toMatchObject({ status: 'ok', checks: { database: 'up' } });
    ok = false;
    const down = await fetch(`${server.url}/health`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'degraded', checks: { database: 'down' } });
    await server.close();

    server = await startMetricsServer({ port: 0, registry });
    const bare = await fetch(`${server.url}/health`);
    expect(bare.status).toBe(200);
    expect(await bare.json()).toMatchObject({ status: 'ok', checks: {} });
  });

  it('answers 404 elsewhere and 405 to other methods', async () => {
    server = await startMetricsServer({ port: 0, registry });
    expect((await fetch(`${server.url}/`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics/x`)).status).toBe(404);
    const post = await fetch(`${server.url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers 500 when collecting fails', async () => {
    server = await startMetricsServer({ port: 0, registry: { contentType: registry.contentType, metrics: () => Promise.reject(new Error('boom')) } });
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(500);
  });

  it('closes promptly despite a kept-alive connection, and frees the port', async () => {
    server = await startMetricsServer({ port: 0, registry });
    const { port, url } = server;
    await (await fetch(`${url}/metrics`, { headers: { connection: 'keep-alive' } })).text();
    await server.close();
    server = undefined;
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
    // The same port can be bound again at once.
    server = await startMetricsServer({ port, registry });
    expect(server.port).toBe(port);
  });

  it('fails to start when the port is taken', async () => {
    server = await startMetricsServer({ port: 0, registry });
    await expect(startMetricsServer({ port: server.port, registry })).rejects.toThrow(/EADDRINUSE/);
  });
});
