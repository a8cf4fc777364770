import { createHmac } from 'node:crypto';
import { expectEventually, startWebhookReceiver, WebhookReceiver } from '@minoots/testing';
import { MinootsStack } from '@minoots/testing';

describe('webhook endpoints and reliable delivery through the gateway', () => {
  // Short retry delays so a retry schedule fits in a test; production keeps 5s,25s,125s,625s. The
  // first is longer: the SIGKILL test must see attempt 1 recorded and kill before attempt 2, each
  // look a round trip through the gateway, NATS and the dispatcher on a possibly starved machine.
  const stack = new MinootsStack();
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    await stack.start('delivery', { DELIVERY_RETRY_SCHEDULE: '4s,1500ms,1500ms', DELIVERY_SWEEP_INTERVAL_MS: '100' });
  });

  afterAll(async () => {
    await stack.stop();
    await receiver.close();
  });

  it('manages endpoints: secret shown once, validation, test send, stats', async () => {
    const created = await stack.request('POST', '/webhooks', {
      body: { name: 'CI hooks', url: `${receiver.url}/ci`, eventTypes: ['timer.*', 'webhook.test'], description: 'build notifications' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'CI hooks', enabled: true, state: 'healthy', rateLimitPerMinute: 60, maxAttempts: 5, eventTypes: ['timer.*', 'webhook.test'] });
    expect(created.body.secret).toMatch(/^whsec_/);
    const id = created.body.id;

    const listed = await stack.request('GET', '/webhooks');
    expect(listed.body.webhooks.map((w: { id: string }) => w.id)).toContain(id);
    expect(listed.body.webhooks[0]).not.toHaveProperty('secret');
    expect((await stack.request('GET', `/webhooks/${id}`)).body).not.toHaveProperty('secret');

    expect((await stack.request('POST', '/webhooks', { body: { name: 'x', url: `${receiver.url}/x`, eventTypes: ['*'], maxAttempts: 11 } })).status).toBe(400);
    expect((await stack.request('POST', '/webhooks', { body: { name: 'x', url: 'http://169.254.169.254/', eventTypes: ['*'] } })).status).toBe(422);
    expect((await stack.request('POST', '/webhooks', { body: { name: 'x', url: `${receiver.url}/x`, eventTypes: ['nope'] } })).body.error.code).toBe('INVALID_EVENT_TYPES');
    expect((await stack.request('GET', '/webhooks/wh_unknown')).status).toBe(404);

    const tested = await stack.request('POST', `/webhooks/${id}/test`);
    expect(tested.status).toBe(200);
    expect(tested.body.delivery).toMatchObject({ status: 'succeeded', eventType: 'webhook.test', attempts: [expect.objectContaining({ statusCode: 200 })] });
    const hit = receiver.on('/ci')[0];
    expect(hit.headers['x-minoots-signature']).toBe(`sha256=${createHmac('sha256', created.body.secret).update(hit.body).digest('hex')}`);

    const patched = await stack.request('PATCH', `/webhooks/${id}`, { body: { rateLimitPerMinute: 600 } });
    expect(patched.body.rateLimitPerMinute).toBe(600);
    expect((await stack.request('PATCH', `/webhooks/${id}`, { body: { secret: 'whsec_abcdefghijklmnopqrstuvwxyz' } })).status).toBe(400);

    const stats = await stack.request('GET', `/webhooks/${id}/stats`);
    expect(stats.body).toMatchObject({ endpointId: id, deliveries: { total: 1, succeeded: 1 }, successRate: 100 });

    const rotated = await stack.request('POST', `/webhooks/${id}/rotate-secret`);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    expect((await stack.request('DELETE', `/webhooks/${id}`)).body).toEqual({ deleted: true, deadLettered: 0 });
  });

  it('resumes the retry schedule after the dispatcher is SIGKILLed between attempts: nothing lost or doubled', async () => {
    receiver.script = (req, n) => (req.path === '/flaky' && n <= 2 ? { status: 503, body: 'warming up' } : { status: 200, body: 'OK' });
    const endpoint = await stack.request('POST', '/webhooks', { body: { name: 'flaky', url: `${receiver.url}/flaky`, eventTypes: ['timer.expired'] } });
    const timer = await stack.request('POST', '/timers', { body: { name: 'kill between attempts', duration: '300ms' } });
    await expectEventually(() => expect(receiver.on('/flaky')).toHaveLength(1), { timeoutMs: 5000 });
    // Between attempts: the first is recorded and the second is scheduled. (Killed before the
    // record lands, the first attempt is sent again — at least once, under the same delivery id.)
    await expectEventually(async () => {
      const page = await stack.request('GET', `/deliveries?endpointId=${endpoint.body.id}`);
      expect(page.body.deliveries).toEqual([expect.objectContaining({ status: 'pending', attemptCount: 1 })]);
    });

    await stack.service('webhook-dispatcher').stop('SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stack.startService('webhook-dispatcher');

    await expectEventually(() => expect(receiver.on('/flaky')).toHaveLength(3), { timeoutMs: 15_000 });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const attempts = receiver.on('/flaky');
    expect(attempts).toHaveLength(3);
    expect(attempts.map((a) => a.headers['x-minoots-attempt'])).toEqual(['1', '2', '3']);
    const deliveryId = attempts[0].headers['x-delivery-id'];
    expect(attempts.every((a) => a.headers['x-delivery-id'] === deliveryId)).toBe(true);
    // The schedule held across the restart: about 4 s between attempts, not immediately.
    expect(attempts[1].receivedAt - attempts[0].receivedAt).toBeGreaterThanOrEqual(3900);

    const listed = await stack.request('GET', `/deliveries?endpointId=${endpoint.body.id}&timerId=${timer.body.timer.id}`);
    expect(listed.body.deliveries).toHaveLength(1);
    const detail = await stack.request('GET', `/deliveries/${deliveryId}`);
    expect(detail.body.delivery).toMatchObject({ status: 'succeeded', attemptCount: 3 });
    expect(detail.body.delivery.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([503, 503, 200]);
  });

  it('keeps dead letters, lists them, and replays them one at a time or in bulk', async () => {
    receiver.script = (req) => (req.path === '/down' ? { status: 500, body: 'down' } : { status: 200, body: 'OK' });
    const endpoint = await stack.request('POST', '/webhooks', { body: { name: 'down', url: `${receiver.url}/down`, eventTypes: ['timer.created'], maxAttempts: 1 } });
    for (const name of ['dl-1', 'dl-2', 'dl-3']) await stack.request('POST', '/timers', { body: { name, duration: '1h' } });
    const dead = await expectEventually(async () => {
      const page = await stack.request('GET', `/deliveries?status=dead&endpointId=${endpoint.body.id}`);
      expect(page.body.deliveries).toHaveLength(3);
      return page.body.deliveries as { id: string }[];
    });
    receiver.script = () => ({ status: 200, body: 'OK' });
    const one = await stack.request('POST', `/deliveries/${dead[0].id}/replay`);
    expect(one.status).toBe(202);
    expect(one.body.delivery).toMatchObject({ id: dead[0].id, status: 'pending' });
    const bulk = await stack.request('POST', `/webhooks/${endpoint.body.id}/replay`, { body: {} });
    expect(bulk.body.replayed).toBe(2);
    await expectEventually(async () => {
      const page = await stack.request('GET', `/deliveries?status=succeeded&endpointId=${endpoint.body.id}`);
      expect(page.body.deliveries).toHaveLength(3);
    });
    expect((await stack.request('GET', `/deliveries?status=dead&endpointId=${endpoint.body.id}`)).body.deliveries).toHaveLength(0);
    expect((await stack.request('GET', '/deliveries?status=lost')).status).toBe(400);
  });
});

describe('the gateway’s per-key rate limit', () => {
  const stack = new MinootsStack();

  beforeAll(() => stack.start('ratelimit', { GATEWAY_RATE_LIMIT_PER_MINUTE: '5' }));
  afterAll(() => stack.stop());

  it('answers 429 with Retry-After and X-RateLimit headers once a key exceeds it', async () => {
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await stack.request('GET', '/timers'));
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(answers[0].headers.get('x-ratelimit-limit')).toBe('5');
    expect(answers[4].headers.get('x-ratelimit-remaining')).toBe('0');
    const limited = answers[5];
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThan(Date.now() / 1000);
    // Health is not counted against keys.
    expect((await stack.request('GET', '/health', { key: null })).status).toBe(200);
  });
});
