import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { MinootsSystem } from '../systems/minoots.system';
import { BenchReceiver } from '../receiver';
import { runLateness, LatenessResult } from './lateness.scenario';

export interface ScaleResult {
  pending: number;
  createSeconds: number;
  errors: number;
  /** Creations per second over the first and the last tenth of the backlog. */
  startRate: number;
  endRate: number;
  schedulerRssMb: number;
  tablesMb: number;
  latenessWithBacklog: LatenessResult;
}

function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return Math.round(kb / 1024);
}

/**
 * Fills MINOOTS with `count` timers due far in the future through the HTTP API, then checks that
 * creation did not slow down, memory stayed bounded, and timers due meanwhile still fire on time.
 */
export async function runScale(
  system: MinootsSystem,
  receiver: BenchReceiver,
  options: { count: number; concurrency: number; lateness: { count: number; ratePerSecond: number } },
): Promise<ScaleResult> {
  const tenth = Math.max(1, Math.floor(options.count / 10));
  const marks: number[] = [];
  let next = 0;
  let created = 0;
  let errors = 0;
  const t0 = Date.now();
  const worker = async () => {
    while (next < options.count) {
      next++;
      const status = await system.createTimer({ name: 'backlog', duration: '30d', events: { on_expire: { webhook: `${receiver.url}/never` } } }).catch(() => 0);
      if (status === 201) {
        created++;
        if (created % tenth === 0) marks.push(Date.now());
      } else errors++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const createSeconds = (Date.now() - t0) / 1000;
  const startRate = marks.length > 0 ? Math.round(tenth / ((marks[0] - t0) / 1000)) : NaN;
  const endRate = marks.length > 1 ? Math.round(tenth / ((marks[marks.length - 1] - marks[marks.length - 2]) / 1000)) : NaN;

  const db = new Client({ connectionString: system.stack.databaseUrl });
  await db.connect();
  const { rows } = await db.query<{ bytes: string }>(
    `select sum(pg_total_relation_size(c.oid))::bigint as bytes
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'scheduler' and c.relkind = 'r'`,
  );
  await db.end();

  const latenessWithBacklog = await runLateness(system, receiver, {
    count: options.lateness.count,
    ratePerSecond: options.lateness.ratePerSecond,
    leadMs: Math.max(5_000, (options.lateness.count / 300) * 1000),
    drainMs: 10_000,
    label: 'scale',
  });
  return {
    pending: created,
    createSeconds: Math.round(createSeconds),
    errors,
    startRate,
    endRate,
    schedulerRssMb: rssMb(system.stack.service('scheduler').pid),
    tablesMb: Math.round(Number(rows[0]?.bytes ?? 0) / 1024 / 1024),
    latenessWithBacklog,
  };
}
