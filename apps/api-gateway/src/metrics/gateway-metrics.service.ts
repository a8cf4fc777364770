import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';
import { collectProcessMetrics } from '@minoots/config';

/** This replica's Prometheus metrics, served at GET /metrics on the API port. */
@Injectable()
export class GatewayMetrics {
  /** Per instance rather than prom-client's global one, so apps created in one process do not collide. */
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'minoots_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly requestDuration = new Histogram({
    name: 'minoots_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method and route pattern.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly timersCreated = new Counter({
    name: 'minoots_timers_created_total',
    help: 'Timers created (idempotent replays not counted).',
    registers: [this.registry],
  });

  constructor() {
    collectProcessMetrics(this.registry);
  }

  /** `route` is the matched pattern (`/timers/:id`), never the raw URL: one series per route, not per id. */
  recordRequest(method: string, route: string, status: number, durationSeconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.requestDuration.observe({ method, route }, durationSeconds);
  }

  recordTimerCreated(): void {
    this.timersCreated.inc();
  }
}
