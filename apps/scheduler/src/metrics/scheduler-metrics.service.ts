import { Inject, Injectable } from '@nestjs/common';
import { NatsConnection } from '@nats-io/nats-core';
import { Counter, Gauge, Histogram } from 'prom-client';
import { NATS_CONNECTION, ServiceMetrics } from '@minoots/messaging';
import { SCHEDULER_CONFIG, SchedulerConfig } from '../config/scheduler.config';
import { SCHEDULER_DATABASE, SchedulerDatabase } from '../database/scheduler-database.type';
import { ClaimedTrigger, TriggersRepository } from '../firing/triggers.repository';

/** This replica's Prometheus metrics, served with its health on their own port. */
@Injectable()
export class SchedulerMetrics extends ServiceMetrics {
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
  private readonly publishFailures = new Counter({
    name: 'minoots_firing_publish_failures_total',
    help: 'Publishes of fired triggers that failed, by kind. Each is retried, backing off up to 5 s, until it succeeds (a failed publish may have stored its event): a count that keeps rising is an event NATS refuses, or NATS out of reach.',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  private heldCount: () => number = () => 0;

  constructor(
    @Inject(SCHEDULER_CONFIG) config: SchedulerConfig,
    @Inject(SCHEDULER_DATABASE) db: SchedulerDatabase,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    triggers: TriggersRepository,
  ) {
    super(SchedulerMetrics.name, { port: config.SCHEDULER_METRICS_PORT, host: config.METRICS_HOST }, { db, nc });
    this.countGauge(
      'minoots_timers_pending',
      'Timers not yet expired or cancelled, across all replicas (refreshed at most every 5 s).',
      () => triggers.countPending(),
    );
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

  recordPublishFailed(triggers: ClaimedTrigger[]): void {
    for (const trigger of triggers) this.publishFailures.inc({ kind: trigger.kind });
  }

  recordFired(triggers: ClaimedTrigger[], firedAt: Date): void {
    for (const trigger of triggers) {
      this.fired.inc({ kind: trigger.kind });
      this.lateness.observe((firedAt.getTime() - trigger.dueAt.getTime()) / 1000);
    }
  }
}
