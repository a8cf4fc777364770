import { NatsConnection } from '@nats-io/nats-core';
import { TimerEvent } from '@minoots/contracts';
import { ConsumedEvent } from '@minoots/messaging';
import { loadDispatcherConfig } from '../config/dispatcher.config';
import { DispatcherDatabase } from '../database/dispatcher-database.type';
import { DeliveriesRepository } from '../deliveries/deliveries.repository';
import { HttpAttemptResult } from '../deliveries/webhook-http.client';
import { DispatcherMetrics } from './dispatcher-metrics.service';

function attempt(overrides: Partial<HttpAttemptResult>): HttpAttemptResult {
  return { ok: false, statusCode: null, durationMs: 20, responseExcerpt: null, error: null, permanent: false, retryAfterMs: null, ...overrides };
}

describe('DispatcherMetrics', () => {
  const countDue = jest.fn(async () => 12);
  let metrics: DispatcherMetrics;

  beforeEach(() => {
    countDue.mockClear();
    metrics = new DispatcherMetrics(loadDispatcherConfig({}), {} as DispatcherDatabase, {} as NatsConnection, { countDue } as unknown as DeliveriesRepository);
  });

  it('counts deliveries by outcome and attempts by result', async () => {
    metrics.recordAttempt(attempt({ ok: true, statusCode: 204, durationMs: 30 }), 'succeeded');
    metrics.recordAttempt(attempt({ statusCode: 503, error: 'receiver answered 503' }), 'retrying');
    metrics.recordAttempt(attempt({ statusCode: 404, error: 'receiver answered 404' }), 'retrying');
    metrics.recordAttempt(attempt({ statusCode: 410, error: 'receiver answered 410 Gone: endpoint disabled' }), 'dead');
    metrics.recordAttempt(attempt({ error: 'timed out after 500 ms', durationMs: 500 }), 'retrying');
    metrics.recordAttempt(attempt({ error: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:9' }), 'retrying');
    metrics.recordAttempt(attempt({ error: 'target refused: private address', permanent: true, durationMs: 0 }), 'dead');
    metrics.recordDead();

    const deliveries = await metrics.registry.getSingleMetricAsString('minoots_deliveries_total');
    expect(deliveries).toContain('minoots_deliveries_total{outcome="succeeded"} 1');
    expect(deliveries).toContain('minoots_deliveries_total{outcome="retrying"} 4');
    expect(deliveries).toContain('minoots_deliveries_total{outcome="dead"} 3');

    const attempts = await metrics.registry.getSingleMetricAsString('minoots_delivery_attempts_total');
    expect(attempts).toContain('minoots_delivery_attempts_total{result="success"} 1');
    expect(attempts).toContain('minoots_delivery_attempts_total{result="http_5xx"} 1');
    expect(attempts).toContain('minoots_delivery_attempts_total{result="http_4xx"} 2');
    expect(attempts).toContain('minoots_delivery_attempts_total{result="timeout"} 1');
    expect(attempts).toContain('minoots_delivery_attempts_total{result="connection"} 1');
    expect(attempts).toContain('minoots_delivery_attempts_total{result="refused"} 1');

    const duration = await metrics.registry.getSingleMetricAsString('minoots_delivery_attempt_duration_seconds');
    expect(duration).toContain('minoots_delivery_attempt_duration_seconds_bucket{le="0.005"} 1');
    expect(duration).toContain('minoots_delivery_attempt_duration_seconds_bucket{le="0.025"} 5');
    expect(duration).toContain('minoots_delivery_attempt_duration_seconds_bucket{le="0.05"} 6');
    expect(duration).toContain('minoots_delivery_attempt_duration_seconds_bucket{le="0.5"} 7');
    expect(duration).toContain('minoots_delivery_attempt_duration_seconds_count 7');
  });

  it('reports attempts under way by whether they have a connection, as the HTTP client counts them', async () => {
    const idle = await metrics.registry.getSingleMetricAsString('minoots_delivery_attempts_in_progress');
    expect(idle).toContain('minoots_delivery_attempts_in_progress{state="sending"} 0');
    expect(idle).toContain('minoots_delivery_attempts_in_progress{state="waiting"} 0');
    let counts = { connected: 256, waiting: 1_200 };
    metrics.observeConnections(() => counts);
    const busy = await metrics.registry.getSingleMetricAsString('minoots_delivery_attempts_in_progress');
    expect(busy).toContain('minoots_delivery_attempts_in_progress{state="sending"} 256');
    expect(busy).toContain('minoots_delivery_attempts_in_progress{state="waiting"} 1200');
    counts = { connected: 3, waiting: 0 };
    expect(await metrics.registry.getSingleMetricAsString('minoots_delivery_attempts_in_progress')).toContain('{state="waiting"} 0');
  });

  it("times each firing from its firedAt to its pickup, leaving out redeliveries and other events", async () => {
    const now = Date.parse('2026-11-24T08:00:00.000Z');
    const firing = (type: 'timer.expired' | 'timer.progress' | 'timer.created', agoMs: number, redelivered = false) =>
      ({ event: { type, data: { firedAt: new Date(now - agoMs).toISOString() } }, seq: 1, redelivered }) as unknown as ConsumedEvent<TimerEvent>;
    metrics.recordPickup([firing('timer.expired', 30), firing('timer.progress', 2), firing('timer.expired', 60_000, true), firing('timer.created', 1)], now);
    const pickup = await metrics.registry.getSingleMetricAsString('minoots_delivery_pickup_seconds');
    expect(pickup).toContain('minoots_delivery_pickup_seconds_count 2');
    expect(pickup).toContain('minoots_delivery_pickup_seconds_bucket{le="0.0025"} 1');
    expect(pickup).toContain('minoots_delivery_pickup_seconds_bucket{le="0.025"} 1');
    expect(pickup).toContain('minoots_delivery_pickup_seconds_bucket{le="0.05"} 2');
    expect(pickup).toContain('minoots_delivery_pickup_seconds_sum 0.032');
  });

  it('counts rate-limited postponements', async () => {
    metrics.recordRateLimited();
    metrics.recordRateLimited();
    expect(await metrics.registry.getSingleMetricAsString('minoots_delivery_rate_limited_total')).toContain('minoots_delivery_rate_limited_total 2');
  });

  it('reports the queue depth from a cached count', async () => {
    expect(await metrics.registry.getSingleMetricAsString('minoots_delivery_queue_depth')).toContain('minoots_delivery_queue_depth 12');
    countDue.mockResolvedValue(13);
    expect(await metrics.registry.metrics()).toContain('minoots_delivery_queue_depth 12');
    expect(countDue).toHaveBeenCalledTimes(1);
  });
});
