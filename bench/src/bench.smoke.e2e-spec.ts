import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBench } from './run';

describe('npm run bench (smoke size)', () => {
  it('runs every scenario against MINOOTS and the peers and writes the report, chart and JSON', async () => {
    Object.assign(process.env, {
      BENCH_LATENESS_COUNT: '60',
      BENCH_LATENESS_RATE: '100',
      BENCH_DELIVERY_COUNT: '60',
      BENCH_CREATION_SECONDS: '1',
      BENCH_CREATION_CONCURRENCY: '4',
      BENCH_SCALE_COUNT: '200',
      BENCH_WARMUP_COUNT: '10',
      BENCH_SCALE_LATENESS_COUNT: '20',
      BENCH_REGISTER_MS_PER_POST: '20',
    });
    const out = mkdtempSync(join(tmpdir(), 'minoots-bench-'));
    const results = await runBench(out);

    expect(results.errors).toEqual([]);
    expect(results.lateness.map((l) => l.system)).toEqual(['MINOOTS', 'pg-boss', 'bullmq', 'graphile-worker']);
    for (const l of results.lateness) {
      expect(l.delivered).toBe(60);
      expect(l.duplicates).toBe(0);
      expect(l.early).toBe(0);
    }
    // The machine's CPU over each scenario (CI runs on Linux, where /proc/stat is read). A smoke
    // burst lasts a few clock ticks, so only the lateness scenario (0.6 s) must have counted some.
    for (const l of results.lateness) {
      expect(l.load?.cpuPerPostUs).toBeGreaterThan(0);
      expect(l.load?.coresBusy).toBeGreaterThan(0);
    }
    for (const d of results.delivery) {
      expect(d.load?.cpuPerPostUs).toBeGreaterThanOrEqual(0);
      expect(d.delivered).toBe(60);
      expect(d.allDelivered).toBe(180);
      expect(d.allPosts).toBe(180);
      // Three bursts each at smoke size, the reported one their median.
      expect(d.bursts).toHaveLength(3);
      expect(d.perSecond).toBe([...d.bursts].sort((a, b) => a - b)[1]);
      // The machine's speed, taken before each burst.
      expect(d.speedBefore).toHaveLength(3);
      for (const speed of d.speedBefore) {
        expect(speed?.computeMs).toBeGreaterThan(0);
        expect(speed?.computeBothBusyMs).toBeGreaterThan(0);
      }
    }
    expect(results.creation!.created).toBeGreaterThan(0);
    expect(results.creation!.errors).toBe(0);
    expect(results.scale!.pending).toBe(200);
    expect(results.scale!.latenessWithBacklog.delivered).toBe(20);

    for (const speed of [results.machine.speedAtStart, results.machine.speedAtEnd]) {
      expect(speed?.computeMs).toBeGreaterThan(0);
      expect(speed?.computeBothBusyMs).toBeGreaterThan(0);
      expect(speed?.roundTripUs).toBeGreaterThan(0);
    }

    const md = readFileSync(join(out, 'results.md'), 'utf8');
    expect(md).toMatch(/Machine speed .* at the start compute \d+ ms \(\d+ ms with the other core busy\), cross-process round trip \d+ µs; at the end/);
    expect(md).toContain('| MINOOTS | 60/60 |');
    expect(md).toMatch(/\| MINOOTS \| 180\/180 \| [\d.]+ \| \d+ \| \d+ \(\d+ \/ \d+ ms\), \d+ \(\d+ \/ \d+ ms\), \d+ \(\d+ \/ \d+ ms\) \|/);
    expect(md).toContain('| graphile-worker |');
    // 200 pending is not the target's million: the report says so rather than marking it failed.
    expect(md).toContain('Creation rate flat up to 200 pending');
    expect(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).lateness).toHaveLength(4);
    expect(readFileSync(join(out, 'lateness.svg'), 'utf8')).toMatch(/^<svg[\s\S]*polyline[\s\S]*<\/svg>$/);
  });
});
