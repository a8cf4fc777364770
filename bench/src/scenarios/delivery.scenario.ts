import { MachineLoad, MachineLoadMeter } from '../machine-load.util';
import { BenchReceiver } from '../receiver';
import { BenchSystem, ScheduledPost } from '../system.type';

export interface BurstResult {
  system: string;
  posts: number;
  delivered: number;
  seconds: number;
  perSecond: number;
  /** The whole machine's CPU from the due instant until the burst had arrived (Linux). */
  load?: MachineLoad;
}

/** The median burst of several (its own figures), with every burst's rate in the order run. */
export interface DeliveryResult extends BurstResult {
  bursts: number[];
  /** Over every burst: a post lost in any of them shows here, whichever burst is the median. */
  allPosts: number;
  allDelivered: number;
}

/** `count` posts all due at one instant: how fast does the system get them to the receiver? */
export async function runDeliveryBurst(
  system: BenchSystem,
  receiver: BenchReceiver,
  options: { count: number; leadMs: number; drainMs: number; label: string; onRegistered?(dueAt: number): void },
): Promise<BurstResult> {
  receiver.reset();
  const dueAt = Math.ceil(Date.now() + options.leadMs);
  const posts: ScheduledPost[] = Array.from({ length: options.count }, (_, i) => {
    const id = `${options.label}-${i}`;
    return { id, dueAt, url: `${receiver.url}/burst`, body: { id } };
  });
  await system.schedule(posts);
  if (Date.now() > dueAt) throw new Error(`${system.name}: registering the burst took longer than the ${options.leadMs} ms lead`);
  options.onRegistered?.(dueAt);
  const meter = new MachineLoadMeter(dueAt);
  const delivered = await receiver.waitFor(
    posts.map((p) => p.id),
    dueAt + options.drainMs,
  );
  const load = meter.stop(delivered);
  const times = [...receiver.arrivals.values()].map((a) => a[0].at);
  const last = Math.max(...times);
  // From the due instant to the last arrival: the time to deliver the whole burst.
  const seconds = (last - dueAt) / 1000;
  return { system: system.name, posts: options.count, delivered, seconds: Math.round(seconds * 100) / 100, perSecond: Math.round(delivered / seconds), load };
}

/**
 * Up to `bursts` bursts (at least one), one after another, and the median of them. One burst swings with the
 * machine's phase (run to run, BullMQ's went from 2,551 to 4,458/s and ours 3,240 to 3,998/s), and
 * the first after the lateness scenario runs colder than the next: a median of three is steadier,
 * and every burst is reported. A system whose burst does not finish within `repeatWithinMs` (pg-boss
 * at ~130/s needs over a minute for 10,000) runs one, to keep the benchmark within its ten minutes.
 */
export async function runDeliveryBursts(
  system: BenchSystem,
  receiver: BenchReceiver,
  options: Parameters<typeof runDeliveryBurst>[2] & { bursts: number; repeatWithinMs: number },
): Promise<DeliveryResult> {
  const results: BurstResult[] = [];
  for (let i = 1; i <= Math.max(1, options.bursts); i++) {
    const burst = await runDeliveryBurst(system, receiver, { ...options, label: `${options.label}-${i}` });
    results.push(burst);
    // A burst that lost posts, or took long, is not repeated (the report says how many ran).
    if (burst.delivered < burst.posts || burst.seconds * 1000 > options.repeatWithinMs) break;
  }
  // The median; of an even number of bursts, the slower of the middle two.
  const median = [...results].sort((a, b) => a.perSecond - b.perSecond)[Math.floor((results.length - 1) / 2)];
  const sum = (f: (r: BurstResult) => number) => results.reduce((total, r) => total + f(r), 0);
  return { ...median, bursts: results.map((r) => r.perSecond), allPosts: sum((r) => r.posts), allDelivered: sum((r) => r.delivered) };
}
