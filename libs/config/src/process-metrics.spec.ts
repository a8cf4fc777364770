import { Registry } from 'prom-client';
import { collectProcessMetrics } from './process-metrics.util';

describe('collectProcessMetrics', () => {
  it("registers Node's process metrics, event-loop lag included, in the registry it is given", async () => {
    const registry = new Registry();
    collectProcessMetrics(registry);
    // Sampled every 100 ms: wait for a few samples before reading the lag.
    await new Promise((resolve) => setTimeout(resolve, 350));
    const text = await registry.metrics();
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    expect(Number(/^nodejs_eventloop_lag_max_seconds (\S+)/m.exec(text)?.[1])).toBeGreaterThan(0);
  });
});
