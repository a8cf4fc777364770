import { CreationResult } from '../scenarios/creation.scenario';
import { DeliveryResult } from '../scenarios/delivery.scenario';
import { MachineLoad } from '../machine-load.util';
import { MachineSpeed } from '../machine-speed.util';
import { LatenessResult } from '../scenarios/lateness.scenario';
import { ScaleResult } from '../scenarios/scale.scenario';

export interface BenchResults {
  startedAt: string;
  machine: { cpus: number; memoryGb: number; node: string; speedAtStart?: MachineSpeed; speedAtEnd?: MachineSpeed };
  config: Record<string, number>;
  lateness: LatenessResult[];
  delivery: DeliveryResult[];
  creation?: CreationResult;
  scale?: ScaleResult;
  errors: { system: string; scenario: string; error: string }[];
}

const TARGETS = { p50: 5, p99: 25, creation: 5000, delivery: 5000, pending: 1_000_000 };

const mark = (ok: boolean) => (ok ? '✅' : '❌');
/** `theirs` as a multiple of `ours`, two significant digits (a peer whose p99 is 0.02× ours is 50 times faster). */
const ratio = (ours: number, theirs: number) =>
  Number.isFinite(ours) && Number.isFinite(theirs) && ours > 0 ? `${Number((theirs / ours).toPrecision(2))}×` : '—';
const ms = (n: number) => (Number.isFinite(n) ? String(n) : 'n/a');
const load = (l: MachineLoad | undefined) => (l ? `${l.cpuPerPostUs} µs, ${l.coresBusy}` : 'n/a');

export function markdownReport(r: BenchResults): string {
  const lines: string[] = [];
  lines.push(`# MINOOTS benchmark — ${r.startedAt}`, '');
  lines.push(`Machine: ${r.machine.cpus} cores, ${r.machine.memoryGb} GiB, Node ${r.machine.node}. Each system runs alone (but for MINOOTS's and BullMQ's delivery bursts, which take turns, below), against the same local receiver, and is warmed up first with ${r.config.warmupCount} posts at the lateness rate (not counted).`, '');
  const speed = (m?: MachineSpeed) => (m ? `compute ${m.computeMs} ms (${m.computeBothBusyMs} ms with the other core busy), cross-process round trip ${m.roundTripUs} µs` : 'not measured');
  lines.push(
    `Machine speed (fixed workloads, lower is faster; two runs whose figures here differ do not compare, and alike ones may still not): at the start ${speed(r.machine.speedAtStart)}; at the end ${speed(r.machine.speedAtEnd)}.`,
    '',
  );
  lines.push(`Run settings: ${Object.entries(r.config).map(([k, v]) => `${k}=${v}`).join(', ')}`, '');

  lines.push('## Firing lateness (receiver arrival − due time, ms)', '');
  lines.push(
    '| system | delivered | p50 | p95 | p99 | max | duplicates | early | p50 / p99 as a multiple of MINOOTS\'s | machine CPU per post, cores busy |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  const ours = r.lateness.find((l) => l.system === 'MINOOTS');
  for (const l of r.lateness) {
    const d = l.lateness;
    const vs = l.system === 'MINOOTS' || !ours ? '—' : `${ratio(ours.lateness.p50, d.p50)} / ${ratio(ours.lateness.p99, d.p99)}`;
    lines.push(`| ${l.system} | ${l.delivered}/${l.scheduled} | ${ms(d.p50)} | ${ms(d.p95)} | ${ms(d.p99)} | ${ms(d.max)} | ${l.duplicates} | ${l.early} | ${vs} | ${load(l.load)} |`);
  }
  if (ours?.firing && ours.dispatch) {
    lines.push(
      '',
      `Where MINOOTS's time went: due → fired (scheduler) p50 ${ours.firing.p50} / p99 ${ours.firing.p99} ms; fired → arrived (dispatcher) p50 ${ours.dispatch.p50} / p99 ${ours.dispatch.p99} ms.`,
    );
  }
  if (ours) {
    lines.push('', `MINOOTS targets: p50 ≤ ${TARGETS.p50} ms ${mark(ours.lateness.p50 <= TARGETS.p50)}, p99 ≤ ${TARGETS.p99} ms ${mark(ours.lateness.p99 <= TARGETS.p99)}.`);
  }
  lines.push('', 'How each system was set up:', '');
  for (const l of r.lateness) lines.push(`- **${l.system}**: ${l.settings}`);

  lines.push('', '## Delivery throughput (bursts of posts all due at once)', '');
  lines.push(
    `Each system runs up to ${r.config.deliveryBursts} bursts, stopping after one that took over ${r.config.deliveryRepeatWithinMs / 1000} s or lost posts; the row is the median burst (of two, the slower), from its due instant to its last arrival, and "delivered" counts every burst. MINOOTS and BullMQ take turns, burst by burst, each started and idle while the other runs (idle, MINOOTS's services keep about 0.05 of a core busy, BullMQ's worker none), so that both meet the same phases of this VM; the other peers run theirs alone, after them.`,
    '',
  );
  lines.push(
    '| system | delivered | seconds | per second (median) | each burst, per second | as a multiple of MINOOTS\'s | machine CPU per post, cores busy |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  const oursDelivery = r.delivery.find((d) => d.system === 'MINOOTS');
  for (const d of r.delivery) {
    const vs = d.system === 'MINOOTS' || !oursDelivery ? '—' : ratio(oursDelivery.perSecond, d.perSecond);
    const each = d.bursts.map((rate, i) => {
      const speed = d.speedBefore?.[i];
      return speed ? `${rate} (${speed.computeMs} / ${speed.computeBothBusyMs} ms)` : String(rate);
    });
    lines.push(`| ${d.system} | ${d.allDelivered}/${d.allPosts} | ${d.seconds} | ${d.perSecond} | ${each.join(', ')} | ${vs} | ${load(d.load)} |`);
  }
  lines.push(
    '',
    "In brackets after each burst: the machine's compute figures taken just before it, with the system idle (the start's workload, the median of three passes alone / of three with the other core busy; lower is faster). This VM's speed changes within a run, by up to 1.8 times for a minute or two, so bursts compare at like figures.",
  );
  lines.push(
    '',
    'Machine CPU per post: every process on every core from the first due time until the last post arrived (`/proc/stat`; the readings are taken by the bench process, within about 0.1 s of those instants), divided by the posts delivered: the system with its database, broker and workers, and the shared receiver. Cores busy: that CPU time over the wall time (2 = both cores throughout).',
  );
  if (oursDelivery) lines.push('', `MINOOTS target ≥ ${TARGETS.delivery}/s ${mark(oursDelivery.perSecond >= TARGETS.delivery)}.`);

  if (r.creation) {
    const c = r.creation;
    lines.push('', '## Timer creation through the HTTP API', '');
    lines.push(
      `${c.created} timers in ${c.seconds} s by ${c.concurrency} concurrent clients: **${c.perSecond}/s**, ${c.errors} errors. Target ≥ ${TARGETS.creation}/s ${mark(c.perSecond >= TARGETS.creation)}.`,
    );
    lines.push('', `Created in each second: ${c.perSecondSeries.join(', ')}`);
  }
  if (r.scale) {
    const s = r.scale;
    const d = s.latenessWithBacklog.lateness;
    lines.push('', '## Scale: pending timers', '');
    lines.push(
      '| pending | created in | rate, first 10 % | rate, last 10 % | scheduler RSS | scheduler tables | lateness meanwhile p50 / p99 / max |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    const meanwhile = s.latenessWithBacklog.delivered > 0 ? `${d.p50} / ${d.p99} / ${d.max} ms (${s.latenessWithBacklog.delivered}/${s.latenessWithBacklog.scheduled} arrived)` : `none of ${s.latenessWithBacklog.scheduled} arrived in time`;
    lines.push(`| ${s.pending} | ${s.createSeconds} s | ${s.startRate}/s | ${s.endRate}/s | ${s.schedulerRssMb} MB | ${s.tablesMb} MB | ${meanwhile} |`);
    const flat = s.endRate >= 0.8 * s.startRate;
    lines.push(
      '',
      s.pending >= TARGETS.pending
        ? `Target ${TARGETS.pending} pending with a flat creation rate ${mark(flat)}.`
        : `Creation rate flat up to ${s.pending} pending ${mark(flat)}. The target's ${TARGETS.pending} is a run of its own (\`BENCH_SCALE_COUNT=${TARGETS.pending}\`, five to eight minutes alone), not judged here.`,
    );
  }
  if (r.errors.length > 0) {
    lines.push('', '## Errors', '');
    for (const e of r.errors) lines.push(`- ${e.system} / ${e.scenario}: ${e.error}`);
  }
  lines.push('', '![Firing lateness per system](lateness.svg)', '');
  return lines.join('\n');
}
