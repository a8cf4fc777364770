import { BenchReceiver } from '../receiver';
import { BenchSystem, ScheduledPost } from '../system.type';
import { HttpPoster } from '../systems/http-poster.util';
import { runDeliveryBursts } from './delivery.scenario';

/** The smallest system: posts each job at its due time from this process, over real HTTP. */
class InProcessSystem implements BenchSystem {
  readonly settings = 'setTimeout and undici, in the test process';
  private readonly poster = new HttpPoster({ connections: 4 });
  private readonly timers = new Set<NodeJS.Timeout>();
  private scheduled = 0;

  constructor(
    readonly name: string,
    private readonly journal: string[],
    private readonly failOnBurst?: number,
  ) {}

  start(): Promise<void> {
    return Promise.resolve(); // nothing to start: the timers live in this process
  }

  async schedule(posts: ScheduledPost[]): Promise<void> {
    this.scheduled++;
    this.journal.push(`${this.name} ${this.scheduled}`);
    if (this.scheduled === this.failOnBurst) throw new Error(`${this.name} refuses burst ${this.scheduled}`);
    for (const post of posts) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.poster.post(post.url, post.body).catch(() => undefined);
      }, post.dueAt - Date.now());
      this.timers.add(timer);
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    await this.poster.close(1_000);
  }
}

describe('runDeliveryBursts', () => {
  const receiver = new BenchReceiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it('has several systems take turns burst by burst, with the machine speed taken before each', async () => {
    const journal: string[] = [];
    const systems = [new InProcessSystem('first', journal), new InProcessSystem('second', journal)];
    let speeds = 0;
    try {
      const { results, failures } = await runDeliveryBursts(systems, receiver, {
        count: 20,
        leadMs: 300,
        drainMs: 5_000,
        bursts: 3,
        repeatWithinMs: 20_000,
        measureSpeed: async () => ({ computeMs: ++speeds, computeBothBusyMs: 100 + speeds }),
      });
      expect(failures).toEqual([]);
      expect(journal).toEqual(['first 1', 'second 1', 'first 2', 'second 2', 'first 3', 'second 3']);
      expect(results.map((r) => [r.system, r.bursts.length, r.allDelivered])).toEqual([
        ['first', 3, 60],
        ['second', 3, 60],
      ]);
      // Taken in turn, each just before its own burst.
      expect(results[0].speedBefore.map((s) => s?.computeMs)).toEqual([1, 3, 5]);
      expect(results[1].speedBefore.map((s) => s?.computeBothBusyMs)).toEqual([102, 104, 106]);
    } finally {
      await Promise.all(systems.map((s) => s.stop()));
    }
  });

  it('leaves out a system whose burst fails, with its error, while the others go on', async () => {
    const journal: string[] = [];
    const systems = [new InProcessSystem('flaky', journal, 2), new InProcessSystem('steady', journal)];
    try {
      const { results, failures } = await runDeliveryBursts(systems, receiver, { count: 10, leadMs: 300, drainMs: 5_000, bursts: 3, repeatWithinMs: 20_000 });
      expect(failures.map((f) => [f.system.name, f.error.message])).toEqual([['flaky', 'flaky refuses burst 2']]);
      expect(journal).toEqual(['flaky 1', 'steady 1', 'flaky 2', 'steady 2', 'steady 3']);
      expect(results.map((r) => [r.system, r.bursts.length, r.allDelivered])).toEqual([['steady', 3, 30]]);
      expect(results[0].speedBefore).toEqual([undefined, undefined, undefined]);
    } finally {
      await Promise.all(systems.map((s) => s.stop()));
    }
  });
});
