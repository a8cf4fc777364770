import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeGc, gcBetween } from './gc-report.util';
import { MS_PER_TICK } from './machine-load.util';
import { BenchReceiver } from './receiver';
import { runCreation } from './scenarios/creation.scenario';
import { runDeliveryBurst } from './scenarios/delivery.scenario';
import { runLateness } from './scenarios/lateness.scenario';
import { MinootsSystem } from './systems/minoots.system';

/**
 * `npm run bench:probe -- <rate|burst|create> [count or seconds] [rate]`: MINOOTS alone, with the
 * CPU each process spends per unit of work (per firing, or per creation) read from /proc, Postgres
 * and NATS included, and each service's garbage-collection pauses (see gc-watch.ts). The benchmark
 * says how fast; this says where the cores went, which on a 2-core machine is what decides
 * lateness and throughput. Linux only.
 *
 * `PROBE_B_ENV='{"DELIVERY_HTTP":"inline"}'` (a JSON object of environment variables; its
 * `NODE_OPTIONS` takes what Node allows there, such as `--max-semi-space-size`, and is added to the
 * caller's) compares two settings in one run: a second MINOOTS starts beside the first
 * with those variables added, the two take turns round by round (each idle while the other runs),
 * and the means of both arms are printed at the end. This VM's speed changes for a minute or two at
 * a time, so one start per setting, run one after another, compares badly.
 */

/** CPU time (user + system) of a process so far, in microseconds; 0 once it is gone. */
export function cpuMicros(pid: number): number {
  try {
    // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100/s).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK * 1000;
  } catch {
    return 0;
  }
}

function pidsOf(name: string): number[] {
  try {
    return execFileSync('pgrep', ['-x', name], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

type CpuSnapshot = Record<string, number>;

/** Every process's CPU so far, and when it was read. */
interface Reading {
  at: number;
  cpu: CpuSnapshot;
}

/**
 * Reads CPU per process, and reports it per unit of work with each service's GC over the same span.
 * Postgres backends come and go; each one's latest reading is kept so none is lost between readings.
 */
class CpuMeter {
  private readonly postgres = new Map<number, number>();

  constructor(
    private readonly system: MinootsSystem,
    private readonly gcDirectory: string,
  ) {}

  read(): Reading {
    const cpu: CpuSnapshot = {};
    for (const [name, service] of this.system.stack.services) cpu[name] = cpuMicros(service.pid ?? 0);
    for (const pid of pidsOf('postgres')) this.postgres.set(pid, cpuMicros(pid));
    cpu.postgres = [...this.postgres.values()].reduce((a, b) => a + b, 0);
    cpu.nats = pidsOf('nats-server').reduce((sum, pid) => sum + cpuMicros(pid), 0);
    cpu['bench (client and receiver)'] = cpuMicros(process.pid);
    return { at: Date.now(), cpu };
  }

  report(label: string, unit: string, before: Reading, after: Reading, units: number): void {
    console.log(`${label}: CPU per ${unit}: ${perUnit(before.cpu, after.cpu, units)}`);
    console.log(`${label}: GC: ${describeGc(gcBetween(this.gcDirectory, before.at, after.at))}`);
  }
}

export function perUnit(before: CpuSnapshot, after: CpuSnapshot, units: number): string {
  const parts = Object.keys(before).map((k) => [k, (after[k] - before[k]) / units] as const);
  return `${parts.map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}; total ${Math.round(totalPerUnit(before, after, units))} µs`;
}

export function totalPerUnit(before: CpuSnapshot, after: CpuSnapshot, units: number): number {
  return Object.keys(before).reduce((sum, k) => sum + (after[k] - before[k]) / units, 0);
}

/** A round's figures by name (`posts/s`, `p99 ms`, `CPU µs`, …), for the arms' means. */
type Figures = Record<string, number>;

const B_ENV_HELP = 'PROBE_B_ENV must be a JSON object of strings, e.g. {"DELIVERY_HTTP":"inline","NODE_OPTIONS":"--max-semi-space-size=64"}';

/** The second arm's extra environment, from `PROBE_B_ENV`; undefined when there is no second arm. */
export function armEnv(json: string | undefined): NodeJS.ProcessEnv | undefined {
  if (!json) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error(B_ENV_HELP);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new Error(B_ENV_HELP);
  }
  return parsed as NodeJS.ProcessEnv;
}

/** The arms in the order a round runs them: the first arm leads in odd rounds, the last in even ones. */
export function armsInRound<T>(round: number, arms: T[]): T[] {
  return round % 2 === 1 ? arms : [...arms].reverse();
}

/** Each figure's mean over the rounds, as `name mean (min–max)`. */
export function describeMeans(rounds: Figures[]): string {
  const names = [...new Set(rounds.flatMap((r) => Object.keys(r)))];
  return names
    .map((name) => {
      const values = rounds.map((r) => r[name]).filter((v) => v !== undefined);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const round = (v: number) => (Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100);
      return `${name} ${round(mean)} (${round(Math.min(...values))}–${round(Math.max(...values))})`;
    })
    .join(', ');
}

/**
 * The benchmark's own lateness or burst scenario, with the CPU measured from just before the first
 * post is due to the last arrival (registering the timers, and what that sets off, is left out).
 */
async function firings(system: MinootsSystem, receiver: BenchReceiver, meter: CpuMeter, mode: 'rate' | 'burst', count: number, rate: number, label: string): Promise<Figures> {
  let before: Reading | undefined;
  const onRegistered = (dueAt: number) => setTimeout(() => (before = meter.read()), Math.max(0, dueAt - Date.now() - 200));
  const common = { count, leadMs: count * 0.4 + 3_000, drainMs: 60_000, label, onRegistered };
  let summary: string;
  let figures: Figures;
  if (mode === 'burst') {
    const burst = await runDeliveryBurst(system, receiver, common);
    summary = `${burst.delivered}/${count} arrived, ${burst.perSecond}/s`;
    figures = { 'posts/s': burst.perSecond };
  } else {
    const result = await runLateness(system, receiver, { ...common, ratePerSecond: rate });
    summary = `${result.delivered}/${count} arrived; lateness p50 ${result.lateness.p50} / p99 ${result.lateness.p99} / max ${result.lateness.max} ms`;
    figures = { 'p50 ms': result.lateness.p50, 'p99 ms': result.lateness.p99 };
  }
  const after = meter.read();
  console.log(`${label}: ${summary}`);
  meter.report(label, 'firing', before ?? after, after, count);
  return { ...figures, 'CPU µs per firing': totalPerUnit((before ?? after).cpu, after.cpu, count) };
}

/** The benchmark's creation scenario, with the CPU of what the creations set off downstream too. */
async function creations(system: MinootsSystem, receiver: BenchReceiver, meter: CpuMeter, seconds: number, label: string): Promise<Figures> {
  const before = meter.read();
  const result = await runCreation(system, { seconds, concurrency: 64, receiverUrl: receiver.url });
  // What the creations set off downstream (projection, fan-out) settles within a second or so.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const after = meter.read();
  console.log(`${label}: ${result.perSecond} creations/s, ${result.errors} errors`);
  meter.report(label, 'creation', before, after, Math.max(1, result.created));
  return { 'creations/s': result.perSecond, 'CPU µs per creation': totalPerUnit(before.cpu, after.cpu, Math.max(1, result.created)) };
}

async function main(): Promise<void> {
  if (!existsSync('/proc/self/stat')) throw new Error('the probe reads /proc: Linux only');
  const [mode = 'rate', size, rateArg] = process.argv.slice(2);
  if (!['rate', 'burst', 'create'].includes(mode)) throw new Error(`mode is rate, burst or create, not ${mode}`);
  const rounds = Number(process.env.PROBE_ROUNDS ?? 2);
  const bEnv = armEnv(process.env.PROBE_B_ENV);
  const receiver = new BenchReceiver();
  await receiver.start();
  const arms = [{ name: 'A', env: {} as NodeJS.ProcessEnv }, ...(bEnv ? [{ name: 'B', env: bEnv }] : [])].map((arm) => {
    const gcDirectory = mkdtempSync(join(tmpdir(), 'minoots-gc-'));
    // Appended to whatever NODE_OPTIONS the caller (and the arm) set, quoted in case of spaces.
    const preload = [process.env.NODE_OPTIONS, arm.env.NODE_OPTIONS, `-r ${JSON.stringify(join(__dirname, 'gc-watch.js'))}`].filter(Boolean).join(' ');
    const system = new MinootsSystem(64, { ...arm.env, NODE_OPTIONS: preload, MINOOTS_GC_DIR: gcDirectory });
    return { ...arm, gcDirectory, system, meter: new CpuMeter(system, gcDirectory), figures: [] as Figures[], started: false };
  });
  try {
    for (const arm of arms) {
      await arm.system.start();
      arm.started = true;
    }
    // Round 0 warms up (JIT, pools, caches) and is reported but not to be read as a figure.
    for (let round = 0; round <= rounds; round++) {
      for (const arm of armsInRound(round, arms)) {
        const label = `${round === 0 ? 'warm-up' : `round ${round}`}${arms.length > 1 ? ` ${arm.name}` : ''}`;
        const figures =
          mode === 'create'
            ? await creations(arm.system, receiver, arm.meter, round === 0 ? 5 : Number(size ?? 15), label)
            : await firings(arm.system, receiver, arm.meter, mode as 'rate' | 'burst', round === 0 ? 2_000 : Number(size ?? 10_000), Number(rateArg ?? 1_000), label);
        if (round > 0) arm.figures.push(figures);
      }
    }
    if (arms.length > 1) {
      for (const arm of arms) console.log(`arm ${arm.name} ${JSON.stringify(arm.env)}: over ${rounds} rounds, ${describeMeans(arm.figures)}`);
    }
  } finally {
    for (const arm of arms) {
      if (arm.started) await arm.system.stop();
      rmSync(arm.gcDirectory, { recursive: true, force: true });
    }
    await receiver.stop();
  }
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
