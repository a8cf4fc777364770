import { Inject, Injectable } from '@nestjs/common';
import { NatsConnection } from '@nats-io/nats-core';
import { Counter, Gauge, Histogram } from 'prom-client';
import { isTimerFiring, TimerEvent } from '@minoots/contracts';
import { ConsumedEvent, NATS_CONNECTION, ServiceMetrics } from '@minoots/messaging';
import { DISPATCHER_CONFIG, DispatcherConfig } from '../config/dispatcher.config';
import { DISPATCHER_DATABASE, DispatcherDatabase } from '../database/dispatcher-database.type';
import { DeliveriesRepository } from '../deliveries/deliveries.repository';
import { HttpAttemptResult } from '../deliveries/webhook-http.client';

export type DeliveryOutcome = 'succeeded' | 'retrying' | 'dead';
type AttemptResult = 'success' | 'http_4xx' | 'http_5xx' | 'timeout' | 'connection' | 'refused';

function attemptResult(result: HttpAttemptResult): AttemptResult {
  if (result.ok) return 'success';
  // Redirects are not followed, so a 3xx is counted with the receiver's other refusals.
  if (result.statusCode !== null) return result.statusCode >= 500 ? 'http_5xx' : 'http_4xx';
  if (result.permanent) return 'refused';
  return result.error?.startsWith('timed out') ? 'timeout' : 'connection';
}

/** This replica's Prometheus metrics, served with its health on their own port. */
@Injectable()
export class DispatcherMetrics extends ServiceMetrics {
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
    help: 'Duration of delivery attempts, from getting a connection to the end of the response excerpt or the error.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly pickup = new Histogram({
    name: 'minoots_delivery_pickup_seconds',
    help: "Time from a timer event's firing (the scheduler's firedAt) to the dispatcher taking it up to plan its deliveries: NATS and the intake's queue. Compared across the two hosts' clocks.",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly notSent = new Counter({
    name: 'minoots_delivery_not_sent_total',
    help: 'Attempts put off unsent (no attempt used up): every connection to their receiver stayed busy for DELIVERY_TIMEOUT_MS.',
    registers: [this.registry],
  });
  private readonly rateLimited = new Counter({
    name: 'minoots_delivery_rate_limited_total',
    help: "Attempts put off by their endpoint's rate limit.",
    registers: [this.registry],
  });

  /** What the HTTP client has under way; nothing until the sender says where to read it. */
  private connectionCounts: () => { connected: number; waiting: number } = () => ({ connected: 0, waiting: 0 });
  private readonly attemptsUnderWay = new Gauge({
    name: 'minoots_delivery_attempts_in_progress',
    help: "HTTP requests of delivery attempts under way on this replica: 'sending' have a connection to their receiver, 'waiting' wait for one (all of the receiver's DELIVERY_CONNECTIONS_PER_ORIGIN are busy). Not what DELIVERY_SWEEP_MAX_IN_FLIGHT bounds: that counts attempts from start to record.",
    labelNames: ['state'] as const,
    registers: [this.registry],
    collect: () => {
      const { connected, waiting } = this.connectionCounts();
      this.attemptsUnderWay.set({ state: 'sending' }, connected);
      this.attemptsUnderWay.set({ state: 'waiting' }, waiting);
    },
  });

  constructor(
    @Inject(DISPATCHER_CONFIG) config: DispatcherConfig,
    @Inject(DISPATCHER_DATABASE) db: DispatcherDatabase,
    @Inject(NATS_CONNECTION) nc: NatsConnection,
    deliveries: DeliveriesRepository,
  ) {
    super(DispatcherMetrics.name, { port: config.DISPATCHER_METRICS_PORT, host: config.METRICS_HOST }, { db, nc });
    this.countGauge(
      'minoots_delivery_queue_depth',
      'Pending deliveries due now or overdue, across all replicas (refreshed at most every 5 s).',
      () => deliveries.countDue(),
    );
  }

  observeConnections(counts: () => { connected: number; waiting: number }): void {
    this.connectionCounts = counts;
  }

  /** The batch's firings, taken up now; a redelivered one's age is its crash's, not the pickup's. */
  recordPickup(batch: ConsumedEvent<TimerEvent>[], now = Date.now()): void {
    for (const { event, redelivered } of batch) {
      if (redelivered || !isTimerFiring(event)) continue;
      this.pickup.observe(Math.max(0, now - Date.parse(event.data.firedAt)) / 1000);
    }
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

  recordNotSent(): void {
    this.notSent.inc();
  }

  recordRateLimited(): void {
    this.rateLimited.inc();
  }
}
