import { BenchReceiver } from '../receiver';
import { BenchSystem, ScheduledPost } from '../system.type';

export interface DeliveryResult {
  system: string;
  posts: number;
  delivered: number;
  seconds: number;
  perSecond: number;
}

/** `count` posts all due at one instant: how fast does the system get them to the receiver? */
export async function runDeliveryBurst(
  system: BenchSystem,
  receiver: BenchReceiver,
  options: { count: number; leadMs: number; drainMs: number; label: string; onRegistered?(dueAt: number): void },
): Promise<DeliveryResult> {
  receiver.reset();
  const dueAt = Math.ceil(Date.now() + options.leadMs);
  const posts: ScheduledPost[] = Array.from({ length: options.count }, (_, i) => {
    const id = `${options.label}-${i}`;
    return { id, dueAt, url: `${receiver.url}/burst`, body: { id } };
  });
  await system.schedule(posts);
  if (Date.now() > dueAt) throw new Error(`${system.name}: registering the burst took longer than the ${options.leadMs} ms lead`);
  options.onRegistered?.(dueAt);
  const delivered = await receiver.waitFor(
    posts.map((p) => p.id),
    dueAt + options.drainMs,
  );
  const times = [...receiver.arrivals.values()].map((a) => a[0].at);
  const last = Math.max(...times);
  // From the due instant to the last arrival: the time to deliver the whole burst.
  const seconds = (last - dueAt) / 1000;
  return { system: system.name, posts: options.count, delivered, seconds: Math.round(seconds * 100) / 100, perSecond: Math.round(delivered / seconds) };
}
