import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NatsConnection } from '@nats-io/nats-core';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { CachedValue, HealthReport, MetricsServer, startMetricsServer } from '@minoots/config';
import { checkDependencies, NATS_CONNECTION } from '@minoots/messaging';
import { SCHEDULER_CONFIG, SchedulerConfig } from '../config/scheduler.config';
import { SCHEDULER_DATABASE, SchedulerDatabase } from '../database/scheduler-database.type';
import { ClaimedTrigger, TriggersRepository } from '../firing/triggers.repository';

const COUNT_MAX_AGE_MS = 5_000;

/** This replica's Prometheus metrics, served with its health on their own port (it has no HTTP API). */
@Injectable()
export class SchedulerMetrics implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SchedulerMetrics.name);
  /** Per instance rather than prom-client's global one, so replicas started in one process do not collide. */
  readonly registry = new Registry();
  private readonly fired = new Counter({
    name: 'minoots_timers_fired_total',
    help: 'Triggers fired (published) by this replica, by kind.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private readonly lateness = new Histogram({
    name: 'minoots_firing_lateness_seconds',
    help: 'Time from a trigger being due to its event being published.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private heldCount: () => number = () => 0;
  private server?: MetricsServer;

  constructor(
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerConfig,
    @Inject(SCHEDULER_DATABASE) private readonly db: SchedulerDatabase,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    triggers: TriggersRepository,
  ) {
    collectDefaultMetrics({ register: this.registry });
    const pending = new CachedValue(() => triggers.countPending(), COUNT_MAX_AGE_MS, (error) =>
      this.logger.warn(`counting pending timers failed: ${(error as Error).message}`),
    );
    const pendingGauge: Gauge = new Gauge({
      name: 'minoots_timers_pending',
      help: 'Timers not yet expired or cancelled, across all replicas (refreshed at most every 5 s).',
      registers: [this.registry],
      collect: async () => {
        const count = await pending.get();
        if (count !== undefined) pendingGauge.set(count);
      },
    });
    const heldGauge: Gauge = new Gauge({
      name: 'minoots_scheduler_held_triggers',
      help: 'Triggers this replica has claimed and holds in memory, waiting to fire.',
      registers: [this.registry],
      collect: () => heldGauge.set(this.heldCount()),
    });
  }

  /** The firing loop is built after this provider; it tells us how to read its size. */
  observeHeld(count: () => number): void {
    this.heldCount = count;
  }

  recordFired(triggers: ClaimedTrigger[], firedAt: Date): void {
    for (const trigger of triggers) {
      this.fired.inc({ kind: trigger.kind });
      this.lateness.observe((firedAt.getTime() - trigger.dueAt.getTime()) / 1000);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    this.server = await startMetricsServer({
      port: this.config.SCHEDULER_METRICS_PORT,
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
