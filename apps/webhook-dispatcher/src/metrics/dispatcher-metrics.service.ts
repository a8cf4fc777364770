import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NatsConnection } from '@nats-io/nats-core';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CachedValue, HealthReport, MetricsServer, startMetricsServer } from '@minoots/config';
import { checkDependencies, NATS_CONNECTION } from '@minoots/messaging';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { DISPATCHER_DATABASE, DispatcherDatabase } from '../database/dispatcher-database.type';
import { DeliveriesRepository } from '../deliveries/deliveries.repository';
import { HttpAttemptResult } from '../deliveries/webhook-http.client';

const COUNT_MAX_AGE_MS = 5_000;

export type DeliveryOutcome = 'succeeded' | 'retrying' | 'dead';
type AttemptResult = 'success' | 'http_4xx' | 'http_5xx' | 'timeout' | 'connection' | 'refused';

function attemptResult(result: HttpAttemptResult): AttemptResult {
  if (result.ok) return 'success';
  // Redirects are not followed, so a 3xx is counted with the receiver's other refusals.
  if (result.statusCode !== null) return result.statusCode >= 500 ? 'http_5xx' : 'http_4xx';
  if (result.permanent) return 'refused';
  return result.error?.startsWith('timed out') ? 'timeout' : 'connection';
}

/** This replica's Prometheus metrics, served with its health on their own port (it has no HTTP API). */
@Injectable()
export class DispatcherMetrics implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DispatcherMetrics.name);
  /** Per instance rather than prom-client's global one, so instances started in one process do not collide. */
  readonly registry = new Registry();
  private readonly deliveries = new Counter({
    name: 'minoots_deliveries_total',
    help: 'Deliveries by where their latest attempt left them: succeeded, retrying (another attempt scheduled) or dead.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  private readonly attempts = new Counter({
    name: 'minoots_delivery_attempts_total',
    help: 'Delivery attempts by result; refused means the URL policy refused the target, connection any other network error.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  private readonly attemptDuration = new Histogram({
    name: 'minoots_delivery_attempt_duration_seconds',
    help: 'Duration of delivery attempts, from sending the request to the end of the response excerpt or the error.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly rateLimited = new Counter({
    name: 'minoots_delivery_rate_limited_total',
    help: "Attempts put off by their endpoint's rate limit.",
    registers: [this.registry],
  });
  private server?: MetricsServer;

  constructor(
    @Inject(DISPATCHER_CONFIG) private readonly config: DispatcherConfig,
    @Inject(DISPATCHER_DATABASE) private readonly db: DispatcherDatabase,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    deliveries: DeliveriesRepository,
  ) {
    collectDefaultMetrics({ register: this.registry });
    const due = new CachedValue(() => deliveries.countDue(), COUNT_MAX_AGE_MS, (error) =>
      this.logger.warn(`counting due deliveries failed: ${(error as Error).message}`),
    );
    const queueDepth: Gauge = new Gauge({
      name: 'minoots_delivery_queue_depth',
      help: 'Pending deliveries due now or overdue, across all replicas (refreshed at most every 5 s).',
      registers: [this.registry],
      collect: async () => {
        const count = await due.get();
        if (count !== undefined) queueDepth.set(count);
      },
    });
  }

  recordAttempt(result: HttpAttemptResult, outcome: DeliveryOutcome): void {
    this.attempts.inc({ result: attemptResult(result) });
    this.attemptDuration.observe(result.durationMs / 1000);
    this.deliveries.inc({ outcome });
  }

  /** Dead without an attempt (its endpoint was deleted). */
  recordDead(): void {
    this.deliveries.inc({ outcome: 'dead' });
  }

  recordRateLimited(): void {
    this.rateLimited.inc();
  }

  async onApplicationBootstrap(): Promise<void> {
    this.server = await startMetricsServer({
      port: this.config.DISPATCHER_METRICS_PORT,
      host: this.config.METRICS_HOST,
      registry: this.registry,
      health: () => this.health(),
    });
    this.logger.log(`metrics at ${this.server.url}/metrics, health at ${this.server.url}/health`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }

  private health(): Promise<HealthReport> {
    return checkDependencies(this.db, this.nc);
  }
}
