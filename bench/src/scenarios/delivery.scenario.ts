import { MachineLoad, MachineLoadMeter } from '../machine-load.util';
import { ComputeSpeed } from '../machine-speed.util';
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
  /**
   * The machine's compute speed taken just before each burst (in the order of `bursts`; undefined
   * where not measured): the VM's speed changes within a run, so bursts compare at like speeds.
   */
  speedBefore: (ComputeSpeed | undefined)[];
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

/** A system whose bursts stopped on an error: it has no delivery result. */
export interface BurstFailure {
  system: BenchSystem;
  error: Error;
}

/**
 * Up to `bursts` bursts per system (at least one), and each system's median. One burst swings with
 * the machine's phase (run to run, BullMQ's went from 2,551 to 4,458/s and ours 3,240 to 3,998/s),
 * and the first after the lateness scenario runs colder than the next: a median of three is
 * steadier, and every burst is reported. Several systems take turns, burst by burst, each started
 * and idle while another runs: this VM's speed changes for a minute or two at a time, and systems
 * run one after another would meet different phases of it. A system whose burst does not finish
 * within `repeatWithinMs` (pg-boss at ~130/s needs over a minute for 10,000) runs one, to keep the
 * benchmark within its ten minutes.
 */
export async function runDeliveryBursts(
  systems: BenchSystem[],
  receiver: BenchReceiver,
  options: Omit<Parameters<typeof runDeliveryBurst>[2], 'label'> & {
    bursts: number;
    repeatWithinMs: number;
    /** Taken before each burst is registered, with the systems idle. */
    measureSpeed?: () => Promise<ComputeSpeed | undefined>;
  },
): Promise<{ results: DeliveryResult[]; failures: BurstFailure[] }> {
  const runs = systems.map((system) => ({ system, bursts: [] as BurstResult[], speedBefore: [] as (ComputeSpeed | undefined)[], done: false }));
  const failures: BurstFailure[] = [];
  const failed = (system: BenchSystem) => failures.some((f) => f.system === system);
  for (let i = 1; i <= Math.max(1, options.bursts); i++) {
    for (const run of runs.filter((r) => !r.done)) {
      try {
        const speed = await options.measureSpeed?.();
        const burst = await runDeliveryBurst(run.system, receiver, { ...options, label: `${run.system.name}-burst-${i}` });
        run.speedBefore.push(speed);
        run.bursts.push(burst);
        // A burst that lost posts, or took long, is not repeated (the report says how many ran).
        run.done = burst.delivered < burst.posts || burst.seconds * 1000 > options.repeatWithinMs;
      } catch (error) {
        failures.push({ system: run.system, error: error as Error });
        run.done = true;
      }
    }
  }
  return { results: runs.filter((r) => !failed(r.system)).map((r) => summarize(r.bursts, r.speedBefore)), failures };
}

function summarize(bursts: BurstResult[], speedBefore: (ComputeSpeed | undefined)[]): DeliveryResult {
  // The median; of an even number of bursts, the slower of the middle two.
  const median = [...bursts].sort((a, b) => a.perSecond - b.perSecond)[Math.floor((bursts.length - 1) / 2)];
  const sum = (f: (r: BurstResult) => number) => bursts.reduce((total, r) => total + f(r), 0);
  return { ...median, bursts: bursts.map((r) => r.perSecond), speedBefore, allPosts: sum((r) => r.posts), allDelivered: sum((r) => r.delivered) };
}
