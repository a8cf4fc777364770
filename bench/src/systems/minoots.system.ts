import { Pool } from 'undici';
import { BOOTSTRAP_KEY, MinootsStack } from '@minoots/testing';
import { BenchSystem, ScheduledPost } from '../system.type';

/** MINOOTS as users run it: the three services as processes, timers created over the HTTP API. */
export class MinootsSystem implements BenchSystem {
  readonly name = 'MINOOTS';
  readonly settings = 'defaults: 2 s claim lookahead, in-memory heap firing, 250 ms discovery poll; timers created with fireAt over HTTP';
  readonly stack = new MinootsStack();
  /**
   * Creation over HTTP runs at 2,700–5,000/s on the 2-core machine (2 ms a post is 500/s): room for
   * a slow phase of the machine, and for what the registration sets off to settle before the first
   * post is due.
   */
  readonly registerMsPerPost = 2;
  private pool?: Pool;

  constructor(
    private readonly createConcurrency = 64,
    /** Added to the services' environment (the probe preloads its GC watch this way). */
    private readonly serviceEnv: NodeJS.ProcessEnv = {},
  ) {}

  async start(): Promise<void> {
    await this.stack.start('bench', {
      GATEWAY_RATE_LIMIT_PER_MINUTE: '100000000',
      LOG_LEVEL: 'warn',
      WEBHOOK_ALLOWED_CIDRS: '127.0.0.0/8',
      ...this.serviceEnv,
    });
    this.pool = new Pool(this.stack.baseUrl, { connections: this.createConcurrency, pipelining: 1, keepAliveTimeout: 60_000 });
  }

  get baseUrl(): string {
    return this.stack.baseUrl;
  }

  lastError?: string;

  async createTimer(body: Record<string, unknown>): Promise<number> {
    const res = await this.pool!.request({
      path: '/timers',
      method: 'POST',
      headers: { 'x-api-key': BOOTSTRAP_KEY, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (res.statusCode === 201) await res.body.dump();
    else this.lastError = `${res.statusCode} ${(await res.body.text()).slice(0, 300)}`;
    return res.statusCode;
  }

  async schedule(posts: ScheduledPost[]): Promise<void> {
    let next = 0;
    let failures = 0;
    const worker = async () => {
      while (next < posts.length) {
        const post = posts[next++];
        const status = await this.createTimer({
          name: `bench ${post.id}`,
          fireAt: new Date(post.dueAt).toISOString(),
          events: { on_expire: { webhook: post.url, data: post.body } },
        });
        if (status !== 201) failures++;
      }
    };
    await Promise.all(Array.from({ length: this.createConcurrency }, worker));
    if (failures > 0) throw new Error(`${failures} of ${posts.length} timers were not created (last: ${this.lastError})`);
  }

  async stop(): Promise<void> {
    await this.pool?.close();
    await this.stack.stop();
  }
}
