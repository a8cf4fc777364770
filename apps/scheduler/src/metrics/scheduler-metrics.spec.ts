import { NatsConnection } from '@nats-io/nats-core';
import { loadSchedulerConfig } from '../config/scheduler.config';
import { SchedulerDatabase } from '../database/scheduler-database.type';
import { ClaimedTrigger, TriggersRepository } from '../firing/triggers.repository';
import { SchedulerMetrics } from './scheduler-metrics.service';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

function trigger(kind: ClaimedTrigger['kind'], dueAt: number): ClaimedTrigger {
  return { timerId: 'timer_1', kind, label: kind, percent: null, tenantId: 'tenant_1', dueAt: new Date(dueAt), eventId: `evt_${kind}`, createdSeq: 1, timer: { id: 'timer_1', name: 'timer_1', agentId: null, durationMs: 1000, startAt: new Date(T0).toISOString(), fireAt: new Date(T0 + 1000).toISOString(), events: {}, metadata: null, createdAt: new Date(T0).toISOString() }, recovered: false, timerStatus: 'pending' };
}

describe('SchedulerMetrics', () => {
  const countPending = jest.fn(async () => 42);
  let metrics: SchedulerMetrics;

  beforeEach(() => {
    countPending.mockClear();
    metrics = new SchedulerMetrics(
      loadSchedulerConfig({}),
      {} as SchedulerDatabase,
      {} as NatsConnection,
      { countPending } as unknown as TriggersRepository,
    );
  });

  it('counts fired triggers by kind and puts their lateness in the histogram', async () => {
    metrics.recordFired([trigger('progress', T0), trigger('expire', T0 + 997)], new Date(T0 + 1_000));
    metrics.recordFired([trigger('expire', T0)], new Date(T0 + 3_000));

    const fired = await metrics.registry.getSingleMetricAsString('minoots_timers_fired_total');
    expect(fired).toContain('minoots_timers_fired_total{kind="progress"} 1');
    expect(fired).toContain('minoots_timers_fired_total{kind="expire"} 2');

    const lateness = await metrics.registry.getSingleMetricAsString('minoots_firing_lateness_seconds');
    // 1 s, 3 ms and 3 s late.
    expect(lateness).toContain('minoots_firing_lateness_seconds_bucket{le="0.001"} 0');
    expect(lateness).toContain('minoots_firing_lateness_seconds_bucket{le="0.005"} 1');
    expect(lateness).toContain('minoots_firing_lateness_seconds_bucket{le="1"} 2');
    expect(lateness).toContain('minoots_firing_lateness_seconds_bucket{le="2.5"} 2');
    expect(lateness).toContain('minoots_firing_lateness_seconds_bucket{le="5"} 3');
    expect(lateness).toContain('minoots_firing_lateness_seconds_bucket{le="10"} 3');
    expect(lateness).toContain('minoots_firing_lateness_seconds_bucket{le="+Inf"} 3');
    expect(lateness).toContain('minoots_firing_lateness_seconds_count 3');
    expect(lateness).toMatch(/minoots_firing_lateness_seconds_sum 4\.003\d*\n/);
  });

  it('counts failed publishes of fired triggers by kind', async () => {
    metrics.recordPublishFailed([trigger('expire', T0), trigger('expire', T0), trigger('progress', T0)]);
    const failures = await metrics.registry.getSingleMetricAsString('minoots_firing_publish_failures_total');
    expect(failures).toContain('minoots_firing_publish_failures_total{kind="expire"} 2');
    expect(failures).toContain('minoots_firing_publish_failures_total{kind="progress"} 1');
  });

  it('reports pending timers from a cached count and the triggers held in memory', async () => {
    let held = 0;
    metrics.observeHeld(() => held);
    held = 7;
    const first = await metrics.registry.metrics();
    expect(first).toContain('minoots_timers_pending 42');
    expect(first).toContain('minoots_scheduler_held_triggers 7');
    countPending.mockResolvedValue(43);
    // A second scrape right after does not query again.
    expect(await metrics.registry.metrics()).toContain('minoots_timers_pending 42');
    expect(countPending).toHaveBeenCalledTimes(1);
  });

  it('keeps instances apart and includes the default process metrics', async () => {
    const other = new SchedulerMetrics(loadSchedulerConfig({}), {} as SchedulerDatabase, {} as NatsConnection, { countPending } as unknown as TriggersRepository);
    metrics.recordFired([trigger('expire', T0)], new Date(T0));
    expect(await other.registry.getSingleMetricAsString('minoots_timers_fired_total')).not.toContain('kind="expire"');
    expect(await other.registry.metrics()).toContain('process_cpu_seconds_total');
  });
});
