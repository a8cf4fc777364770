import Fastify, { FastifyInstance } from 'fastify';
import { GatewayMetrics } from './gateway-metrics.service';
import { registerHttpMetricsHook } from './http-metrics.hook';

describe('registerHttpMetricsHook', () => {
  let app: FastifyInstance;
  let metrics: GatewayMetrics;

  beforeEach(async () => {
    app = Fastify();
    metrics = new GatewayMetrics();
    registerHttpMetricsHook(app, metrics);
    app.get('/timers/:id', async (request, reply) => {
      const { id } = request.params as { id: string };
      if (id === 'missing') return reply.status(404).send({ error: 'no' });
      return { id };
    });
    app.post('/timers', async (_request, reply) => reply.status(201).send({}));
    await app.ready();
  });

  afterEach(async () => {
    await app.close();
  });

  it('labels requests with the route pattern, never the raw URL', async () => {
    await app.inject({ method: 'GET', url: '/timers/tmr_1' });
    await app.inject({ method: 'GET', url: '/timers/tmr_2?x=1' });
    await app.inject({ method: 'GET', url: '/timers/missing' });
    await app.inject({ method: 'POST', url: '/timers', payload: {} });
    await app.inject({ method: 'GET', url: '/wp-admin/setup.php' });

    const requests = await metrics.registry.getSingleMetricAsString('minoots_http_requests_total');
    expect(requests).toContain('minoots_http_requests_total{method="GET",route="/timers/:id",status="200"} 2');
    expect(requests).toContain('minoots_http_requests_total{method="GET",route="/timers/:id",status="404"} 1');
    expect(requests).toContain('minoots_http_requests_total{method="POST",route="/timers",status="201"} 1');
    expect(requests).toContain('minoots_http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(requests).not.toMatch(/tmr_|wp-admin/);

    const duration = await metrics.registry.getSingleMetricAsString('minoots_http_request_duration_seconds');
    expect(duration).toContain('minoots_http_request_duration_seconds_count{method="GET",route="/timers/:id"} 3');
    expect(duration).not.toContain('status=');
  });

  it('counts created timers', async () => {
    metrics.recordTimerCreated();
    expect(await metrics.registry.getSingleMetricAsString('minoots_timers_created_total')).toContain('minoots_timers_created_total 1');
  });
});
