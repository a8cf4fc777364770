import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Pauses {
  count: number;
  totalMs: number;
  maxMs: number;
}

export interface ServiceGc {
  service: string;
  scavenges: Pauses;
  majors: Pauses;
  /** How fast the old generation filled (its drops at major collections left out), MB/s. */
  oldGrowthMbPerS: number;
}

const pauses = (): Pauses => ({ count: 0, totalMs: 0, maxMs: 0 });

/** Reads what `gc-watch` wrote for each service and keeps what happened between `from` and `to` (wall ms). */
export function gcBetween(directory: string, from: number, to: number): ServiceGc[] {
  const byService = new Map<string, { gc: ServiceGc; lastOld?: number; grown: number }>();
  for (const name of readdirSync(directory).filter((n) => n.endsWith('.gc')).sort()) {
    const service = name.replace(/-\d+\.gc$/, '');
    const entry = byService.get(service) ?? { gc: { service, scavenges: pauses(), majors: pauses(), oldGrowthMbPerS: 0 }, grown: 0 };
    byService.set(service, entry);
    for (const line of readFileSync(join(directory, name), 'utf8').split('\n')) {
      const [at, what, kind, value] = line.split(' ');
      const time = Number(at);
      if (!(time >= from && time <= to)) continue;
      if (what === 'old') {
        const size = Number(kind);
        if (entry.lastOld !== undefined && size > entry.lastOld) entry.grown += size - entry.lastOld;
        entry.lastOld = size;
      } else if (what === 'gc' && (kind === 'scavenge' || kind === 'major')) {
        const p = kind === 'scavenge' ? entry.gc.scavenges : entry.gc.majors;
        const ms = Number(value);
        p.count++;
        p.totalMs += ms;
        p.maxMs = Math.max(p.maxMs, ms);
      }
    }
    entry.lastOld = undefined;
  }
  const seconds = Math.max(0.001, (to - from) / 1000);
  return [...byService.values()].map(({ gc, grown }) => ({ ...gc, oldGrowthMbPerS: grown / 1e6 / seconds }));
}

const describePauses = (p: Pauses, what: string) =>
  p.count === 0 ? `0 ${what}` : `${p.count} ${what} (avg ${(p.totalMs / p.count).toFixed(1)}, max ${p.maxMs.toFixed(1)} ms)`;

export function describeGc(services: ServiceGc[]): string {
  return services
    .map((s) => `${s.service} ${describePauses(s.scavenges, 'scavenges')}, ${describePauses(s.majors, 'major')}, old generation +${s.oldGrowthMbPerS.toFixed(1)} MB/s`)
    .join('; ');
}
