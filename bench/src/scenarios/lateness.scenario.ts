import { MachineLoad, MachineLoadMeter } from '../machine-load.util';
import { BenchReceiver } from '../receiver';
import { distribution, Distribution } from '../stats.util';
import { BenchSystem, ScheduledPost } from '../system.type';

export interface LatenessResult {
  system: string;
  settings: string;
  scheduled: number;
  delivered: number;
  duplicates: number;
  early: number;
  scheduleSeconds: number;
  /** Receiver's arrival time minus the due time, in milliseconds. */
  lateness: Distribution;
  /** Where the time went, when the system reports its firing time: due → fired, fired → arrival. */
  firing?: Distribution;
  dispatch?: Distribution;
  /** The whole machine's CPU from the first due time until the last post arrived (Linux). */
  load?: MachineLoad;
  samples: number[];
}

/**
 * `count` posts due at `ratePerSecond`, starting `leadMs` from now (time enough to register them
 * all first); lateness = arrival at the receiver − due time.
 */
export async function runLateness(
  system: BenchSystem,
  receiver: BenchReceiver,
  options: {
    count: number;
    ratePerSecond: number;
    leadMs: number;
    drainMs: number;
    label: string;
    /** Told when every post is registered, with the first due time (the probe starts measuring CPU near it). */
    onRegistered?(firstDueAt: number): void;
  },
): Promise<LatenessResult> {
  receiver.reset();
  const start = Math.ceil(Date.now() + options.leadMs);
  const posts: ScheduledPost[] = Array.from({ length: options.count }, (_, i) => {
    const id = `${options.label}-${i}`;
    return { id, dueAt: start + Math.floor((i * 1000) / options.ratePerSecond), url: `${receiver.url}/lateness`, body: { id } };
  });
  const t0 = Date.now();
  await system.schedule(posts);
  const scheduleSeconds = (Date.now() - t0) / 1000;
  if (Date.now() > start) {
    throw new Error(`${system.name}: registering ${options.count} posts took ${scheduleSeconds}s, longer than the ${options.leadMs} ms lead`);
  }
  options.onRegistered?.(start);
  const meter = new MachineLoadMeter(start);
  const lastDue = posts[posts.length - 1].dueAt;
  await receiver.waitFor(
    posts.map((p) => p.id),
    lastDue + options.drainMs,
  );
  const load = meter.stop(receiver.arrivals.size);
  const samples: number[] = [];
  const firing: number[] = [];
  const dispatch: number[] = [];
  let early = 0;
  for (const post of posts) {
    const first = receiver.arrivals.get(post.id)?.[0];
    if (!first) continue;
    const late = first.at - post.dueAt;
    if (late < -1) early++;
    samples.push(late);
    if (first.firedAt !== undefined) {
      firing.push(first.firedAt - post.dueAt);
      dispatch.push(first.at - first.firedAt);
    }
  }
  return {
    system: system.name,
    settings: system.settings,
    scheduled: posts.length,
    delivered: samples.length,
    duplicates: receiver.duplicates,
    early,
    scheduleSeconds,
    lateness: distribution(samples),
    ...(firing.length > 0 && { firing: distribution(firing), dispatch: distribution(dispatch) }),
    load,
    samples,
  };
}
