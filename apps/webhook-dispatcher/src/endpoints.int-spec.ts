import { createHmac } from 'node:crypto';
import { ConsumerMessages, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { AnyEvent, decodeEvent, streamNameFor } from '@minoots/contracts';
import { verifyStandardWebhook } from '@minoots/signing';
import { expectEventually, ReceivedWebhook } from '@minoots/testing';
import { DispatcherHarness } from './testing/dispatcher-harness';
import { EndpointsService } from './endpoints/endpoints.service';
import { DeliveryLogService } from './deliveries/delivery-log.service';

const TENANT = 'tenant_1';

describe('endpoint subscriptions and reliable delivery (real Postgres, NATS and HTTP)', () => {
  const h = new DispatcherHarness('endpoints', {
    ENDPOINT_FAILING_AFTER: '2',
    ENDPOINT_DISABLE_AFTER: '4',
    ENDPOINT_RATE_WINDOW_MS: '1000',
    MAX_ENDPOINTS_PER_TENANT: '20',
  });
  let endpoints: EndpointsService;
  let log: DeliveryLogService;
  const busEvents: AnyEvent[] = [];
  let watch: ConsumerMessages;

  const create = (input: Parameters<EndpointsService['create']>[0]['input'], tenantId = TENANT) => endpoints.create({ tenantId, input });
  const hits = (path: string) => h.receiver.on(path);

  beforeAll(async () => {
    await h.start();
    endpoints = h.app.get(EndpointsService);
    log = h.app.get(DeliveryLogService);
    // Watch the delivery and endpoint outcome events the dispatcher publishes.
    const jsm = await jetstreamManager(h.nc);
    for (const stream of ['deliveries', 'endpoints'] as const) {
      await jsm.consumers.add(streamNameFor(h.namespace, stream), { durable_name: 'watch', ack_policy: 'none' as never });
    }
    const js = jetstream(h.nc);
    for (const stream of ['deliveries', 'endpoints'] as const) {
      const messages = await (await js.consumers.get(streamNameFor(h.namespace, stream), 'watch')).consume();
      watch = messages;
      void (async () => {
        for await (const m of messages) busEvents.push(decodeEvent(m.data));
      })();
    }
  });

  afterAll(() => h.stop());

  it('validates endpoints and enforces the per-tenant limit', async () => {
    await expect(create({ name: 'x', url: 'http://10.0.0.1/x', eventTypes: ['*'] })).rejects.toMatchObject({ error: { status: 422, code: 'WEBHOOK_URL_REFUSED' } });
    await expect(create({ name: 'x', url: `${h.receiver.url}/x`, eventTypes: ['timer.exploded'] })).rejects.toMatchObject({ error: { status: 400, code: 'INVALID_EVENT_TYPES' } });
    await expect(create({ name: 'x', url: `${h.receiver.url}/x`, eventTypes: ['*'], secret: 'whsec_!!!notbase64!!!' })).rejects.toMatchObject({ error: { code: 'INVALID_SECRET' } });
    for (let i = 0; i < 20; i++) await create({ name: `limit ${i}`, url: `${h.receiver.url}/limit`, eventTypes: ['webhook.test'] }, 'tenant_limits');
    await expect(create({ name: 'one too many', url: `${h.receiver.url}/x`, eventTypes: ['*'] }, 'tenant_limits')).rejects.toMatchObject({ error: { status: 409, code: 'ENDPOINT_LIMIT_REACHED' } });
    const page = await endpoints.list({ tenantId: 'tenant_limits', limit: 5 });
    expect(page.items).toHaveLength(5);
    expect(page.items[0]).not.toHaveProperty('secret');
    const rest = await endpoints.list({ tenantId: 'tenant_limits', limit: 5, cursor: page.nextCursor! });
    expect(rest.items).toHaveLength(5);
    expect(new Set([...page.items, ...rest.items].map((e) => e.id)).size).toBe(10);
    expect(rest.items[0].name).toBe('limit 5');
    await expect(endpoints.get({ tenantId: TENANT, endpointId: page.items[0].id })).rejects.toMatchObject({ error: { status: 404 } });
  });

  it('fans timer events out to matching endpoints in the envelope, signed with each endpoint’s secret', async () => {
    const all = await create({ name: 'everything', url: `${h.receiver.url}/all`, eventTypes: ['*'] });
    const timers = await create({ name: 'timer events', url: `${h.receiver.url}/timers`, eventTypes: ['timer.*'] });
    const expiredOnly = await create({ name: 'expiries', url: `${h.receiver.url}/expired`, eventTypes: ['timer.expired'] });
    await create({ name: 'off', url: `${h.receiver.url}/off`, eventTypes: ['*'], enabled: false });
    expect(all.secret).toMatch(/^whsec_/);

    const spec = h.spec('timer_fan');
    await h.created(spec);
    await h.expired(spec);
    // Two deliveries to one endpoint are attempted concurrently: their arrival order is not promised.
    const typesAt = (path: string) => hits(path).map((r) => r.json.event.type as string).sort();
    await expectEventually(() => {
      expect(typesAt('/all')).toEqual(['timer.created', 'timer.expired']);
      expect(typesAt('/timers')).toEqual(['timer.created', 'timer.expired']);
      expect(typesAt('/expired')).toEqual(['timer.expired']);
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(hits('/off')).toHaveLength(0);

    const hit = hits('/expired')[0];
    expect(hit.json).toEqual({
      event: {
        id: `evt_fire_${spec.id}_expire`,
        type: 'timer.expired',
        timestamp: expect.any(String),
        tenantId: TENANT,
        source: 'minoots',
        payload: { timer: expect.objectContaining({ id: spec.id, status: 'expired', name: spec.name }) },
      },
      webhook: { id: expiredOnly.id, name: 'expiries' },
    });
    expect(hit.headers['x-webhook-id']).toBe(expiredOnly.id);
    expect(hit.headers['x-event-type']).toBe('timer.expired');
    expect(hit.headers['x-minoots-signature']).toBe(`sha256=${createHmac('sha256', expiredOnly.secret!).update(hit.body).digest('hex')}`);
    const sig = (r: ReceivedWebhook, secrets: string[]) =>
      verifyStandardWebhook({
        id: String(r.headers['webhook-id']),
        timestamp: String(r.headers['webhook-timestamp']),
        body: r.body,
        signatureHeader: String(r.headers['webhook-signature']),
        secrets,
      });
    expect(sig(hit, [expiredOnly.secret!])).toBe(true);
    expect(sig(hit, [timers.secret!])).toBe(false);
  });

  it('retries with the same delivery id, then keeps the dead letter, announces it, and replays it', async () => {
    h.receiver.script = (req) => (req.path === '/broken' ? { status: 500, body: 'database is down' } : { status: 200, body: 'OK' });
    const broken = await create({ name: 'broken', url: `${h.receiver.url}/broken`, eventTypes: ['timer.expired'], maxAttempts: 3 });
    const spec = h.spec('timer_dead');
    await h.created(spec);
    await h.expired(spec);
    // Three attempts at this harness's one per second (60/min over a 1 s window), and retries.
    const dead = await expectEventually(
      async () => {
        const page = await log.list({ tenantId: TENANT, endpointId: broken.id, status: 'dead', limit: 10 });
        expect(page.items).toHaveLength(1);
        return page.items[0];
      },
      { timeoutMs: 20_000 },
    );
    const attempts = hits('/broken');
    expect(attempts.map((r) => r.headers['x-minoots-attempt'])).toEqual(['1', '2', '3']);
    expect(new Set(attempts.map((r) => r.headers['x-delivery-id']))).toEqual(new Set([dead.id]));
    const detail = await log.get({ tenantId: TENANT, deliveryId: dead.id });
    expect(detail.attempts!.map((a) => [a.attempt, a.statusCode, a.outcome, a.responseExcerpt])).toEqual([
      [1, 500, 'failed', 'database is down'],
      [2, 500, 'failed', 'database is down'],
      [3, 500, 'failed', 'database is down'],
    ]);
    await expectEventually(() => expect(busEvents.some((e) => e.type === 'delivery.dead' && e.data.deliveryId === dead.id)).toBe(true));
    expect(busEvents.filter((e) => e.type === 'delivery.failed' && e.data.deliveryId === dead.id)).toHaveLength(2);

    // The receiver is fixed; the dead letter is replayed under the same id.
    h.receiver.script = () => ({ status: 200, body: 'OK' });
    const replayed = await log.replay({ tenantId: TENANT, deliveryId: dead.id });
    expect(replayed.status).toBe('pending');
    await expectEventually(async () => expect((await log.get({ tenantId: TENANT, deliveryId: dead.id })).status).toBe('succeeded'));
    expect(hits('/broken').at(-1)!.headers).toMatchObject({ 'x-delivery-id': dead.id, 'x-minoots-attempt': '4' });
    await expect(log.replay({ tenantId: TENANT, deliveryId: 'dlv_nope' })).rejects.toMatchObject({ error: { status: 404 } });

    const stats = await log.stats({ tenantId: TENANT, endpointId: broken.id });
    expect(stats).toMatchObject({
      deliveries: { total: 1, succeeded: 1, dead: 0 },
      attempts: { total: 4, succeeded: 1, failed: 3 },
      successRate: 25,
      errorsByKind: { http_5xx: 3 },
      retryRate: 100,
    });
    expect(stats.latencyMs.p95).toEqual(expect.any(Number));
  });

  it('honours Retry-After on 429, and times out a receiver that does not answer', async () => {
    h.receiver.script = (req, n) =>
      req.path === '/busy' && n === 1
        ? { status: 429, headers: { 'retry-after': '1' } }
        : req.path === '/slow' && n === 1
          ? { status: 200, delayMs: 1500 }
          : { status: 200, body: 'OK' };
    await create({ name: 'busy', url: `${h.receiver.url}/busy`, eventTypes: ['timer.expired'] });
    const slow = await create({ name: 'slow', url: `${h.receiver.url}/slow`, eventTypes: ['timer.expired'] });
    const spec = h.spec('timer_busy');
    await h.created(spec);
    await h.expired(spec);
    await expectEventually(() => {
      expect(hits('/busy')).toHaveLength(2);
      expect(hits('/slow').length).toBeGreaterThanOrEqual(2);
    });
    const [first, second] = hits('/busy');
    // The schedule says 100 ms; the receiver asked for a second.
    expect(second.receivedAt - first.receivedAt).toBeGreaterThanOrEqual(1000);
    const slowDelivery = (await log.list({ tenantId: TENANT, endpointId: slow.id, limit: 5 })).items.find((d) => d.eventType === 'timer.expired')!;
    await expectEventually(async () => {
      const detail = await log.get({ tenantId: TENANT, deliveryId: slowDelivery.id });
      expect(detail.attempts![0]).toMatchObject({ outcome: 'failed', error: 'timed out after 500 ms', statusCode: null });
      expect(detail.status).toBe('succeeded');
    });
  });

  it('marks a failing endpoint, disables it, tells the tenant, and resumes after re-enabling', async () => {
    h.receiver.script = (req) => (req.path === '/flaky-ep' ? { status: 503 } : { status: 200, body: 'OK' });
    const watcher = await create({ name: 'ops', url: `${h.receiver.url}/ops`, eventTypes: ['endpoint.*'] });
    const flaky = await create({ name: 'flaky', url: `${h.receiver.url}/flaky-ep`, eventTypes: ['timer.expired'], maxAttempts: 10 });
    const spec = h.spec('timer_flaky_ep');
    await h.created(spec);
    await h.expired(spec);
    // Four attempts at one per second at best: room for a slow machine.
    await expectEventually(async () => expect((await endpoints.get({ tenantId: TENANT, endpointId: flaky.id })).state).toBe('disabled'), { timeoutMs: 20_000 });
    const state = await endpoints.get({ tenantId: TENANT, endpointId: flaky.id });
    expect(state).toMatchObject({ enabled: false, disabledReason: 'disabled after 4 consecutive failed attempts', consecutiveFailures: 4 });
    // The sweeper may pick both notices up in one pass and send them concurrently.
    await expectEventually(() => expect(hits('/ops').map((r) => r.json.event.type as string).sort()).toEqual(['endpoint.disabled', 'endpoint.failing']));
    const disabledNotice = hits('/ops').find((r) => r.json.event.type === 'endpoint.disabled')!;
    expect(disabledNotice.json.event.payload).toMatchObject({ endpointId: flaky.id, consecutiveFailures: 4 });
    expect(disabledNotice.json.webhook.id).toBe(watcher.id);
    // Outcome events are published without waiting (batched): the bus may deliver this one after the webhook.
    await expectEventually(() => expect(busEvents.some((e) => e.type === 'endpoint.disabled' && e.aggregateId === flaky.id)).toBe(true));

    // Disabled: the delivery waits (pending), it is not dropped.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(hits('/flaky-ep')).toHaveLength(4);
    const [pending] = (await log.list({ tenantId: TENANT, endpointId: flaky.id, limit: 5 })).items;
    expect(pending.status).toBe('pending');

    h.receiver.script = () => ({ status: 200, body: 'OK' });
    const reenabled = await endpoints.update({ tenantId: TENANT, endpointId: flaky.id, changes: { enabled: true } });
    expect(reenabled).toMatchObject({ enabled: true, state: 'healthy', consecutiveFailures: 0 });
    await expectEventually(async () => expect((await log.get({ tenantId: TENANT, deliveryId: pending.id })).status).toBe('succeeded'));
    expect(hits('/flaky-ep').at(-1)!.headers['x-minoots-attempt']).toBe('5');
  });

  it('disables an endpoint that answers 410 Gone at once', async () => {
    h.receiver.script = (req) => (req.path === '/gone' ? { status: 410 } : { status: 200 });
    const gone = await create({ name: 'gone', url: `${h.receiver.url}/gone`, eventTypes: ['timer.expired'] });
    const spec = h.spec('timer_gone');
    await h.created(spec);
    await h.expired(spec);
    await expectEventually(async () => expect(await endpoints.get({ tenantId: TENANT, endpointId: gone.id })).toMatchObject({ state: 'disabled', disabledReason: 'the receiver answered 410 Gone' }));
    expect(hits('/gone')).toHaveLength(1);
    const [delivery] = (await log.list({ tenantId: TENANT, endpointId: gone.id, limit: 5 })).items;
    expect(delivery).toMatchObject({ status: 'dead', lastError: expect.stringContaining('410') });
  });

  it('delays deliveries over the endpoint’s rate limit instead of dropping them', async () => {
    h.receiver.script = () => ({ status: 200, body: 'OK' });
    // 120/min in the tests' 1 s window: 2 per second.
    const limited = await create({ name: 'limited', url: `${h.receiver.url}/limited`, eventTypes: ['timer.created'], rateLimitPerMinute: 120 });
    for (let i = 0; i < 6; i++) await h.created(h.spec(`timer_rate_${i}`));
    await expectEventually(() => expect(hits('/limited')).toHaveLength(6), { timeoutMs: 10_000 });
    const times = hits('/limited').map((r) => r.receivedAt);
    expect(times[5] - times[0]).toBeGreaterThanOrEqual(1500);
    // Attempts are recorded once the receiver has answered: wait for the last records.
    const stats = await expectEventually(async () => {
      const s = await log.stats({ tenantId: TENANT, endpointId: limited.id });
      expect(s.deliveries).toMatchObject({ total: 6, succeeded: 6 });
      return s;
    });
    expect(stats.rateLimitHits).toBeGreaterThan(0);
  });

  it('rotates an endpoint secret: both sign during the grace period; test sends go through the real path', async () => {
    h.receiver.script = () => ({ status: 200, body: 'pong' });
    const ep = await create({ name: 'rotating', url: `${h.receiver.url}/rotating`, eventTypes: ['webhook.test'] });
    const rotated = await endpoints.rotateSecret({ tenantId: TENANT, endpointId: ep.id, graceSeconds: 3600 });
    expect(rotated.secret).not.toBe(ep.secret);
    const delivery = await log.test({ tenantId: TENANT, endpointId: ep.id });
    expect(delivery).toMatchObject({ status: 'succeeded', eventType: 'webhook.test', attempts: [expect.objectContaining({ statusCode: 200, responseExcerpt: 'pong' })] });
    const [hit] = hits('/rotating');
    expect(hit.json.event.type).toBe('webhook.test');
    const signatures = String(hit.headers['webhook-signature']).split(' ');
    expect(signatures).toHaveLength(2);
    for (const secret of [rotated.secret!, ep.secret!]) {
      expect(
        verifyStandardWebhook({ id: String(hit.headers['webhook-id']), timestamp: String(hit.headers['webhook-timestamp']), body: hit.body, signatureHeader: String(hit.headers['webhook-signature']), secrets: [secret] }),
      ).toBe(true);
    }
    // The seeds' single signature uses the new secret.
    expect(hit.headers['x-minoots-signature']).toBe(`sha256=${createHmac('sha256', rotated.secret!).update(hit.body).digest('hex')}`);
    const deleted = await endpoints.delete({ tenantId: TENANT, endpointId: ep.id });
    expect(deleted).toEqual({ deleted: true, deadLettered: 0 });
    await expect(endpoints.get({ tenantId: TENANT, endpointId: ep.id })).rejects.toMatchObject({ error: { status: 404 } });
    void watch;
  });
});
