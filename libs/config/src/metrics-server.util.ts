import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthReport {
  ok: boolean;
  checks: Record<string, string>;
}

export interface MetricsServerOptions {
  /** 0 picks a free port (tests, several stacks on one host). */
  port: number;
  host?: string;
  registry: Pick<Registry, 'metrics' | 'contentType'>;
  health?: () => Promise<HealthReport>;
}

export interface MetricsServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text) and `GET /health` for a service that has no HTTP API of
 * its own. Listens on 127.0.0.1 unless told otherwise: metrics are for the operator, not the world.
 */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    handle(options, request, response).catch((error) => {
      if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', `${(error as Error).message}\n`);
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Scrapers keep connections alive; do not wait for them to hang up.
        server.closeAllConnections();
      }),
  };
}

async function handle(options: MetricsServerOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  if (path !== '/metrics' && path !== '/health') {
    send(response, 404, 'text/plain; charset=utf-8', 'not found\n');
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('allow', 'GET, HEAD');
    send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  if (path === '/metrics') {
    send(response, 200, options.registry.contentType, await options.registry.metrics());
    return;
  }
  const report = options.health ? await options.health().catch((error: Error) => ({ ok: false, checks: { health: error.message } })) : { ok: true, checks: {} };
  const body = { status: report.ok ? 'ok' : 'degraded', checks: report.checks, time: new Date().toISOString() };
  send(response, report.ok ? 200 : 503, 'application/json; charset=utf-8', JSON.stringify(body));
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
