import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { BenchReceiver } from './receiver';
import { distribution } from './stats.util';
import { ScheduledPost } from './system.type';
import { MinootsSystem } from './systems/minoots.system';

/**
 * `npm run bench:probe -- <rate|burst|create> [count or seconds] [rate]`: MINOOTS alone, with the
 * CPU each process spends per unit of work (per firing, or per creation) read from /proc, Postgres
 * and NATS included. The benchmark says how fast; this says where the cores went, which on a
 * 2-core machine is what decides lateness and throughput. Linux only.
 */

/** CPU time (user + system) of a process so far, in microseconds; 0 once it is gone. */
export function cpuMicros(pid: number): number {
  try {
    // Fields after the command name: utime and stime are the 12th and 13th, in clock ticks (100/s).
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
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

/** Postgres backends come and go; each one's latest reading is kept so none is lost between snapshots. */
class CpuMeter {
  private readonly postgres = new Map<number, number>();

  constructor(private readonly system: MinootsSystem) {}

  snapshot(): CpuSnapshot {
    const snapshot: CpuSnapshot = {};
    for (const [name, service] of this.system.stack.services) snapshot[name] = cpuMicros(service.pid ?? 0);
    for (const pid of pidsOf('postgres')) this.postgres.set(pid, cpuMicros(pid));
    snapshot.postgres = [...this.postgres.values()].reduce((a, b) => a + b, 0);
    snapshot.nats = pidsOf('nats-server').reduce((sum, pid) => sum + cpuMicros(pid), 0);
    snapshot['bench (client and receiver)'] = cpuMicros(process.pid);
    return snapshot;
  }
}

export function perUnit(before: CpuSnapshot, after: CpuSnapshot, units: number): string {
  const parts = Object.keys(before).map((k) => [k, (after[k] - before[k]) / units] as const);
  const total = parts.reduce((sum, [, v]) => sum + v, 0);
  return `${parts.map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}; total ${Math.round(total)} µs`;
}

async function firings(system: MinootsSystem, receiver: BenchReceiver, meter: CpuMeter, mode: 'rate' | 'burst', count: number, rate: number, label: string) {
  receiver.reset();
  const start = Date.now() + count * 0.4 + 3_000;
  const posts: ScheduledPost[] = Array.from({ length: count }, (_, i) => {
    const id = `${label}-${i}`;
    return { id, dueAt: mode === 'burst' ? start : start + (i * 1_000) / rate, url: `${receiver.url}/probe`, body: { id } };
  });
  await system.schedule(posts);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, start - Date.now() - 200)));
  const before = meter.snapshot();
  const arrived = await receiver.waitFor(
    posts.map((p) => p.id),
    Date.now() + 60_000 + (count * 1_000) / rate,
  );
  const after = meter.snapshot();
  const late = posts.flatMap((p) => receiver.arrivals.get(p.id)?.slice(0, 1).map((a) => a.at - p.dueAt) ?? []);
  const last = Math.max(...posts.map((p) => receiver.arrivals.get(p.id)?.[0]?.at ?? 0));
  const lateness = distribution(late);
  const speed = mode === 'burst' ? `, ${Math.round(count / ((last - start) / 1_000))}/s` : '';
  console.log(`${label}: ${arrived}/${count} arrived${speed}; lateness p50 ${lateness.p50} / p99 ${lateness.p99} / max ${lateness.max} ms`);
  console.log(`${label}: CPU per firing: ${perUnit(before, after, count)}`);
}

async function creations(system: MinootsSystem, receiver: BenchReceiver, meter: CpuMeter, seconds: number, label: string) {
  const before = meter.snapshot();
  const until = Date.now() + seconds * 1_000;
  let created = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (Date.now() < until) {
        const status = await system.createTimer({ name: 'probe', duration: '1h', events: { on_expire: { webhook: `${receiver.url}/probe` } } });
        if (status === 201) created++;
      }
    }),
  );
  // What the creations set off downstream (projection, fan-out) settles within a second or so.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  const after = meter.snapshot();
  console.log(`${label}: ${Math.round(created / seconds)} creations/s`);
  console.log(`${label}: CPU per creation: ${perUnit(before, after, Math.max(1, created))}`);
}

async function main(): Promise<void> {
  if (!existsSync('/proc/self/stat')) throw new Error('the probe reads /proc: Linux only');
  const [mode = 'rate', size, rateArg] = process.argv.slice(2);
  if (!['rate', 'burst', 'create'].includes(mode)) throw new Error(`mode is rate, burst or create, not ${mode}`);
  const rounds = Number(process.env.PROBE_ROUNDS ?? 2);
  const receiver = new BenchReceiver();
  await receiver.start();
  const system = new MinootsSystem();
  await system.start();
  const meter = new CpuMeter(system);
  try {
    // Round 0 warms up (JIT, pools, caches) and is reported but not to be read as a figure.
    for (let round = 0; round <= rounds; round++) {
      const label = round === 0 ? 'warm-up' : `round ${round}`;
      if (mode === 'create') await creations(system, receiver, meter, round === 0 ? 5 : Number(size ?? 15), label);
      else await firings(system, receiver, meter, mode as 'rate' | 'burst', round === 0 ? 2_000 : Number(size ?? 10_000), Number(rateArg ?? 1_000), label);
    }
  } finally {
    await system.stop();
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
