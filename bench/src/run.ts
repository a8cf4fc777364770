import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from '@minoots/testing';
import { measureComputeSpeed, measureMachineSpeed } from './machine-speed.util';
import { BenchReceiver } from './receiver';
import { BenchSystem } from './system.type';
import { MinootsSystem } from './systems/minoots.system';
import { PgBossSystem } from './systems/pg-boss.system';
import { BullMqSystem } from './systems/bullmq.system';
import { GraphileWorkerSystem } from './systems/graphile-worker.system';
import { runLateness } from './scenarios/lateness.scenario';
import { runDeliveryBursts } from './scenarios/delivery.scenario';
import { runCreation } from './scenarios/creation.scenario';
import { runScale } from './scenarios/scale.scenario';
import { BenchResults, markdownReport } from './report/markdown.report';
import { latenessChartSvg } from './report/lateness-chart.svg';

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

/** Sizes of each scenario; the defaults are the issue's, `BENCH_*` shrink them (the smoke test does). */
export const benchConfig = () => ({
  latenessCount: env('BENCH_LATENESS_COUNT', 10_000),
  latenessRate: env('BENCH_LATENESS_RATE', 1_000),
  /** Posts each system handles, at the lateness rate, before anything is measured (then discarded). */
  warmupCount: env('BENCH_WARMUP_COUNT', 2_000),
  deliveryCount: env('BENCH_DELIVERY_COUNT', 10_000),
  /** Bursts per system (the report gives the median). */
  deliveryBursts: env('BENCH_DELIVERY_BURSTS', 3),
  /** A system whose burst takes longer than this (pg-boss, at ~130/s) runs only the one. */
  deliveryRepeatWithinMs: env('BENCH_DELIVERY_REPEAT_WITHIN_MS', 20_000),
  creationSeconds: env('BENCH_CREATION_SECONDS', 30),
  creationConcurrency: env('BENCH_CREATION_CONCURRENCY', 64),
  scaleCount: env('BENCH_SCALE_COUNT', 100_000),
  scaleLatenessCount: env('BENCH_SCALE_LATENESS_COUNT', 2_000),
  /** Overrides every system's own estimate of registering one post (ms), which sets the lead time. */
  registerMsPerPost: env('BENCH_REGISTER_MS_PER_POST', 0),
});

/** The machine's speed is context for the figures: a run whose speed check fails still reports them. */
const orNothing =
  <T>(measure: () => Promise<T>) =>
  (): Promise<T | undefined> =>
    measure().catch((error: unknown) => {
      console.warn(`machine speed not measured: ${(error as Error).message}`);
      return undefined;
    });
const speedOrNothing = orNothing(measureMachineSpeed);
// Three passes each, a second or two before every burst. Even so the speed can change between one
// figure and the next (24 Nov, the start's five passes each: 349 ms alone, then 199 with the other core busy).
const computeSpeedOrNothing = orNothing(() => measureComputeSpeed(3));

/** The systems whose bursts take turns (see below): in order, BullMQ first. */
const TAKE_TURNS = ['bullmq', 'MINOOTS'];

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function runBench(outDir = process.env.BENCH_RESULTS_DIR ?? join(workspaceRoot(), 'bench', 'results')): Promise<BenchResults> {
  const config = benchConfig();
  const only = process.env.BENCH_SYSTEMS?.split(',').map((s) => s.trim().toLowerCase());
  const results: BenchResults = {
    startedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, speedAtStart: await speedOrNothing() },
    config,
    lateness: [],
    delivery: [],
    errors: [],
  };
  const receiver = new BenchReceiver();
  await receiver.start();
  const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

  const systems: BenchSystem[] = [
    new MinootsSystem(),
    new PgBossSystem({ databaseUrl: DATABASE_URL }),
    new BullMqSystem({}),
    new GraphileWorkerSystem({ databaseUrl: DATABASE_URL }),
  ].filter((s) => !only || only.includes(s.name.toLowerCase()));

  const burstOptions = {
    count: config.deliveryCount,
    drainMs: 60_000,
    bursts: config.deliveryBursts,
    repeatWithinMs: config.deliveryRepeatWithinMs,
    measureSpeed: computeSpeedOrNothing,
  };
  const leadFor = (system: BenchSystem, count: number) => {
    const msPerPost = process.env.BENCH_REGISTER_MS_PER_POST ? config.registerMsPerPost : (system.registerMsPerPost ?? 0.2);
    return Math.max(3_000, count * msPerPost + 2_000);
  };
  const failed = (system: BenchSystem, error: unknown) => {
    results.errors.push({ system: system.name, scenario: 'run', error: (error as Error).message });
    log(`${system.name}: failed: ${(error as Error).message}`);
  };
  const stopped = new Set<BenchSystem>();
  const stop = async (system: BenchSystem) => {
    if (stopped.has(system)) return;
    stopped.add(system);
    await system.stop().catch((error) => log(`${system.name}: stop failed: ${(error as Error).message}`));
  };

  /** Starts a system, warms it up and measures its lateness; false (recorded, stopped) if it fails. */
  const prepare = async (system: BenchSystem): Promise<boolean> => {
    log(`${system.name}: starting`);
    try {
      await system.start();
      const latenessRun = (count: number, label: string) =>
        runLateness(system, receiver, { count, ratePerSecond: config.latenessRate, leadMs: leadFor(system, count), drainMs: 15_000, label: `${system.name}-${label}` });
      if (config.warmupCount > 0) {
        // Every system starts cold (JIT, connection pools, caches); what users run is warm.
        const warmup = await latenessRun(config.warmupCount, 'warmup');
        log(`${system.name}: warmed up with ${warmup.delivered}/${warmup.scheduled} posts (discarded; p50 ${warmup.lateness.p50} ms)`);
      }
      const lateness = await latenessRun(config.latenessCount, 'late');
      results.lateness.push(lateness);
      log(`${system.name}: lateness p50 ${lateness.lateness.p50} ms, p99 ${lateness.lateness.p99} ms, ${lateness.delivered}/${lateness.scheduled} delivered`);
      if (lateness.firing) log(`${system.name}: of which due→fired p50 ${lateness.firing.p50} / p99 ${lateness.firing.p99} ms, fired→arrived p50 ${lateness.dispatch!.p50} / p99 ${lateness.dispatch!.p99} ms`);
      return true;
    } catch (error) {
      failed(system, error);
      await stop(system);
      return false;
    }
  };

  /** Their bursts, taking turns; a system whose bursts failed is stopped and left out. */
  const bursts = async (group: BenchSystem[]): Promise<BenchSystem[]> => {
    const { results: delivery, failures } = await runDeliveryBursts(group, receiver, { ...burstOptions, leadMs: Math.max(...group.map((s) => leadFor(s, config.deliveryCount))) });
    for (const d of delivery) {
      results.delivery.push(d);
      log(`${d.system}: delivered bursts of ${config.deliveryCount} at ${d.bursts.join(', ')}/s (median ${d.perSecond}/s)`);
    }
    for (const f of failures) failed(f.system, f.error);
    const failedSystems = failures.map((f) => f.system);
    await Promise.all(failedSystems.map(stop));
    return group.filter((s) => !failedSystems.includes(s));
  };

  const minootsOnly = async (system: MinootsSystem) => {
    try {
      results.creation = await runCreation(system, { seconds: config.creationSeconds, concurrency: config.creationConcurrency, receiverUrl: receiver.url });
      log(`${system.name}: created ${results.creation.perSecond} timers/s over ${results.creation.seconds} s`);
      if (config.scaleCount > 0) {
        results.scale = await runScale(system, receiver, {
          count: config.scaleCount,
          concurrency: config.creationConcurrency,
          lateness: { count: config.scaleLatenessCount, ratePerSecond: 200 },
        });
        log(`${system.name}: ${results.scale.pending} pending, creation ${results.scale.startRate}/s → ${results.scale.endRate}/s`);
      }
    } catch (error) {
      failed(system, error);
    }
  };

  // MINOOTS and BullMQ, the two close in bursts, take turns burst by burst. BullMQ is measured for
  // lateness first, before MINOOTS starts; MINOOTS's with BullMQ idle (a worker blocked on Redis,
  // which costs nothing). Then BullMQ stops, and MINOOTS's own scenarios follow. The others run
  // alone, one after another.
  const together = TAKE_TURNS.map((name) => systems.find((s) => s.name === name)).filter((s): s is BenchSystem => s !== undefined);
  const running: BenchSystem[] = [];
  for (const system of together) if (await prepare(system)) running.push(system);
  try {
    const left = running.length > 0 ? await bursts(running) : [];
    await Promise.all(left.filter((s) => !(s instanceof MinootsSystem)).map(stop));
    const minoots = left.find((s): s is MinootsSystem => s instanceof MinootsSystem);
    if (minoots) await minootsOnly(minoots);
  } finally {
    await Promise.all(running.map(stop));
  }
  for (const system of systems.filter((s) => !together.includes(s))) {
    if (!(await prepare(system))) continue;
    try {
      await bursts([system]);
    } finally {
      await stop(system);
    }
  }
  // The report lists systems in their usual order, whichever ran first.
  const order = (name: string) => systems.findIndex((s) => s.name === name);
  results.lateness.sort((a, b) => order(a.system) - order(b.system));
  results.delivery.sort((a, b) => order(a.system) - order(b.system));
  await receiver.stop();
  results.machine.speedAtEnd = await speedOrNothing();

  mkdirSync(outDir, { recursive: true });
  const { lateness, ...rest } = results;
  const json = { ...rest, lateness: lateness.map(({ samples: _samples, ...l }) => l) };
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(outDir, 'results.md'), markdownReport(results));
  writeFileSync(join(outDir, 'lateness.svg'), latenessChartSvg(lateness.map((l) => ({ system: l.system, samples: l.samples }))));
  log(`results in ${outDir}/results.md`);
  return results;
}

if (require.main === module) {
  runBench().then(
    (r) => process.exit(r.errors.length > 0 ? 1 : 0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
