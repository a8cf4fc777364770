import { FastifyInstance } from 'fastify';
import { GatewayMetrics } from './gateway-metrics.service';

/** Requests that matched no route share one label, so scanners probing random paths add no series. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Counts and times every answered request by its route pattern. */
export function registerHttpMetricsHook(fastify: FastifyInstance, metrics: GatewayMetrics): void {
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.recordRequest(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
  });
}
