import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NatsConnection } from '@nats-io/nats-core';
import { Kysely } from 'kysely';
import { Gauge, Registry } from 'prom-client';
import { CachedValue, collectProcessMetrics, MetricsServer, startMetricsServer } from '@minoots/config';
import { checkDependencies } from './dependency-health.util';

const COUNT_MAX_AGE_MS = 5_000;

/**
 * What the scheduler's and dispatcher's metrics share: a registry of their own (not prom-client's
 * global one, so instances started in one process do not collide) with Node's process metrics,
 * served with /health on a port of their own (they have no HTTP API).
 */
export abstract class ServiceMetrics implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly registry = new Registry();
  protected readonly logger: Logger;
  private server?: MetricsServer;

  protected constructor(
    name: string,
    private readonly serveOn: { port: number; host: string },
    private readonly dependencies: { db: Kysely<any>; nc: NatsConnection },
  ) {
    this.logger = new Logger(name);
    collectProcessMetrics(this.registry);
  }

  /** A gauge read from a count query across replicas, refreshed at most every 5 s per scrape. */
  protected countGauge(name: string, help: string, count: () => Promise<number>): Gauge {
    const cached = new CachedValue(count, COUNT_MAX_AGE_MS, (error) => this.logger.warn(`${name}: counting failed: ${(error as Error).message}`));
    const gauge: Gauge = new Gauge({
      name,
      help,
      registers: [this.registry],
      collect: async () => {
        const value = await cached.get();
        if (value !== undefined) gauge.set(value);
      },
    });
    return gauge;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.server = await startMetricsServer({
      ...this.serveOn,
      registry: this.registry,
      health: () => checkDependencies(this.dependencies.db, this.dependencies.nc),
    });
    this.logger.log(`metrics at ${this.server.url}/metrics, health at ${this.server.url}/health`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.close();
  }
}
