import { expectEventually, startWebhookReceiver, WebhookReceiver } from '@minoots/testing';
import { MinootsStack } from '@minoots/testing';

describe('a scheduler killed with SIGKILL while timers are pending', () => {
  const stack = new MinootsStack();
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    await stack.start('crash');
  });

  afterAll(async () => {
    await stack.stop();
    await receiver.close();
  });

  it('fires every timer exactly once per target after a restart', async () => {
    const count = 40;
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      // Due between 0.5 s and 4.4 s from now: some while the scheduler is down, some after.
      const created = await stack.request('POST', '/timers', {
        body: {
          name: `crash-${i}`,
          duration: 500 + i * 100,
          events: {
            on_progress: { webhook: `${receiver.url}/progress`, intervals: ['50%'] },
            on_expire: { webhook: `${receiver.url}/expire` },
          },
        },
      });
      expect(created.status).toBe(201);
      ids.push(created.body.timer.id);
    }
    await expectEventually(() => expect(receiver.on('/expire').length).toBeGreaterThan(3), { timeoutMs: 5000 });

    await stack.service('scheduler').stop('SIGKILL');
    const firedBeforeKill = receiver.on('/expire').length;
    expect(firedBeforeKill).toBeLessThan(count);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await stack.startService('scheduler');

    await expectEventually(() => expect(receiver.on('/expire')).toHaveLength(count), { timeoutMs: 20_000 });
    await expectEventually(() => expect(receiver.on('/progress')).toHaveLength(count), { timeoutMs: 5_000 });
    // Give any duplicate the time to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    for (const path of ['/expire', '/progress']) {
      const hits = receiver.on(path);
      expect(hits.map((h) => h.json.timer.id).sort()).toEqual([...ids].sort());
      expect(new Set(hits.map((h) => h.headers['x-delivery-id'])).size).toBe(count);
    }
    for (const id of ids) {
      expect((await stack.request('GET', `/timers/${id}`)).body.timer.status).toBe('expired');
    }
  });
});
