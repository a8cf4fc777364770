import { createHmac, timingSafeEqual } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { verifyStandardWebhook } from '@minoots/signing';
import { expectEventually, ReceivedWebhook, startWebhookReceiver, WebhookReceiver } from '@minoots/testing';
import { MinootsStack, serviceNodeFlags } from '@minoots/testing';

/** The seeds' Node verification code, verbatim in substance. */
function seedsNodeCheck(payload: string, signature: string, secret: string): boolean {
  const expectedSignature = createHmac('sha256', secret).update(payload).digest('hex');
  const a = Buffer.from(`sha256=${expectedSignature}`);
  const b = Buffer.from(signature);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The seeds' Python verification code, run by the real interpreter. */
function seedsPythonCheck(payload: string, signature: string, secret: string): boolean {
  const script = `
import hmac, hashlib, sys, json
payload, signature, secret = json.loads(sys.stdin.read())
expected_signature = hmac.new(secret.encode('utf-8'), payload.encode('utf-8'), hashlib.sha256).hexdigest()
print(hmac.compare_digest(f"sha256={expected_signature}", signature))`;
  const out = execFileSync('python3', ['-c', script], { input: JSON.stringify([payload, signature, secret]) });
  return out.toString().trim() === 'True';
}

describe('timer lifecycle through the three services', () => {
  const stack = new MinootsStack();
  let receiver: WebhookReceiver;
  let secret: string;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    await stack.start('lifecycle');
    secret = (await stack.request('GET', '/account/signing-secret')).body.secret;
  });

  afterAll(async () => {
    await stack.stop();
    await receiver.close();
  });

  it('starts each service with its V8 flags from scripts/node-flags.json', () => {
    // The heap sizing the benchmark's figures were measured with (README, Benchmarks).
    expect(serviceNodeFlags('webhook-dispatcher')).toContain('--initial-old-space-size=256');
    for (const name of ['api-gateway', 'scheduler', 'webhook-dispatcher'] as const) {
      // node <flags> -r ./scripts/register-paths.js dist/apps/<name>/src/main.js
      const argv = readFileSync(`/proc/${stack.service(name).pid}/cmdline`, 'utf8').split('\0');
      expect(argv.slice(1, argv.indexOf('-r'))).toEqual(serviceNodeFlags(name));
    }
  });


  it('delivers the 50% progress, then the expiry, on time, with payloads and signatures the seeds accept', async () => {
    const created = await stack.request('POST', '/timers', {
      body: {
        name: 'Build Process',
        duration: '2s',
        agentId: 'agent-42',
        metadata: { pipeline: 'main' },
        events: {
          on_progress: { webhook: `${receiver.url}/progress`, intervals: ['50%'] },
          on_expire: { webhook: `${receiver.url}/done`, message: 'Build process completed!', data: { buildId: '123', environment: 'production' } },
        },
      },
    });
    expect(created.status).toBe(201);
    const timer = created.body.timer;
    expect(timer).toMatchObject({ name: 'Build Process', status: 'pending', duration: 2000, agentId: 'agent-42' });
    expect(timer.id).toMatch(/^timer_/);

    // A read right after the write sees it.
    const read = await stack.request('GET', `/timers/${timer.id}`);
    expect(read.status).toBe(200);
    expect(read.body.timer).toMatchObject({ id: timer.id, status: 'pending' });
    expect(read.body.timer.timeRemaining).toBeGreaterThan(0);
    expect(read.body.timer.timeRemaining).toBeLessThanOrEqual(2000);

    // Each once; two deliveries a second apart, yet their order of arrival is not promised.
    await expectEventually(() => expect(receiver.received.map((r) => r.path).sort()).toEqual(['/done', '/progress']), { timeoutMs: 10_000 });
    const [progress, done] = ['/progress', '/done'].map((path) => receiver.received.find((r) => r.path === path)) as [ReceivedWebhook, ReceivedWebhook];

    expect(progress.json).toMatchObject({
      event: 'timer_progress',
      timer: { id: timer.id, name: 'Build Process', status: 'pending', duration: 2000, agentId: 'agent-42' },
      progress: { milestone: '50%', percent: 50 },
    });
    expect(done.json).toMatchObject({
      event: 'timer_expired',
      timer: { id: timer.id, name: 'Build Process', status: 'expired', duration: 2000, metadata: { pipeline: 'main' } },
      message: 'Build process completed!',
      data: { buildId: '123', environment: 'production' },
    });
    for (const key of ['createdAt', 'expiredAt', 'startTime', 'endTime']) expect(done.json.timer[key]).toEqual(expect.any(String));
    expect(Date.parse(done.json.timestamp)).not.toBeNaN();

    // On time: never before the due time, and the milestone at half way. (How soon after is the
    // benchmark's to measure; the bound here only catches a firing left for a later poll or retry.)
    const endTime = Date.parse(timer.endTime);
    expect(done.receivedAt).toBeGreaterThanOrEqual(endTime);
    expect(done.receivedAt - endTime).toBeLessThan(3000);
    expect(progress.receivedAt).toBeGreaterThanOrEqual(Date.parse(timer.startTime) + 1000);

    for (const hit of [progress, done]) {
      const signature = String(hit.headers['x-minoots-signature']);
      expect(seedsNodeCheck(hit.body, signature, secret)).toBe(true);
      expect(seedsPythonCheck(hit.body, signature, secret)).toBe(true);
      expect(seedsNodeCheck(hit.body.replace('Build', 'Bu1ld'), signature, secret)).toBe(false);
      expect(
        verifyStandardWebhook({
          id: String(hit.headers['webhook-id']),
          timestamp: String(hit.headers['webhook-timestamp']),
          body: hit.body,
          signatureHeader: String(hit.headers['webhook-signature']),
          secrets: [secret],
        }),
      ).toBe(true);
      expect(hit.headers['x-delivery-id']).toEqual(expect.stringMatching(/^dlv_/));
      expect(hit.headers['x-minoots-attempt']).toBe('1');
    }
    expect(done.headers['x-event-type']).toBe('timer.expired');
    expect(progress.headers['x-event-type']).toBe('timer.progress');

    // The projection applies the expiry on its own path, not the webhook's: it may come a little later.
    await expectEventually(async () => {
      const after = await stack.request('GET', `/timers/${timer.id}`);
      expect(after.body.timer).toMatchObject({ status: 'expired', progress: 100, timeRemaining: 0 });
    });
  });

  it('cancels a timer: timer_cancelled with the reason, and no expiry ever', async () => {
    const created = await stack.request('POST', '/timers', {
      body: { name: 'Deploy window', duration: '1500ms', events: { on_expire: { webhook: `${receiver.url}/cancel-me` } } },
    });
    const id = created.body.timer.id;
    // As the seeds' fetch example sends it: a JSON body without a JSON content type.
    const cancelled = await stack.request('DELETE', `/timers/${id}`, {
      body: JSON.stringify({ reason: 'Build completed successfully' }),
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.timer).toMatchObject({ id, status: 'cancelled', cancelReason: 'Build completed successfully' });
    await expectEventually(() => expect(receiver.on('/cancel-me')).toHaveLength(1));
    expect(receiver.on('/cancel-me')[0].json).toMatchObject({
      event: 'timer_cancelled',
      reason: 'Build completed successfully',
      timer: { id, status: 'cancelled', reason: 'Build completed successfully' },
    });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(receiver.on('/cancel-me')).toHaveLength(1);
    expect((await stack.request('GET', `/timers/${id}`)).body.timer.status).toBe('cancelled');
    expect((await stack.request('DELETE', `/timers/${id}`)).status).toBe(409);
  });

  it('answers bad input, missing keys and other tenants’ timers with clear errors', async () => {
    const bad = await stack.request('POST', '/timers', { body: { name: 'x', duration: '15 minutes' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_DURATION');
    expect(bad.body.error.message).toContain('15 minutes');

    const unknownField = await stack.request('POST', '/timers', { body: { name: 'x', duration: '1m', colour: 'red' } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.message).toContain('colour');

    const noKey = await stack.request('GET', '/timers', { key: null });
    expect(noKey.status).toBe(401);
    expect(noKey.body.error.code).toBe('MISSING_API_KEY');
    expect((await stack.request('GET', '/timers', { key: 'mnt_live_doesNotExist000000000000000' })).status).toBe(401);

    const mine = await stack.request('POST', '/timers', { body: { name: 'mine', duration: '1h' } });
    const otherKey = /(mnt_live_[A-Za-z0-9]+)/.exec(await stack.cli('create', '--tenant', 'other-team'))![1];
    const theirs = await stack.request('GET', `/timers/${mine.body.timer.id}`, { key: otherKey });
    expect(theirs.status).toBe(404);
    expect(theirs.body.error.code).toBe('TIMER_NOT_FOUND');
    expect((await stack.request('DELETE', `/timers/${mine.body.timer.id}`, { key: otherKey })).status).toBe(404);
    expect((await stack.request('GET', '/timers', { key: otherKey })).body.timers).toEqual([]);

    // A revoked key stops working.
    const keyId = /(key_[0-9A-Z]+)/.exec(await stack.cli('list', '--tenant', 'other-team'))![1];
    await stack.cli('revoke', keyId);
    await expectEventually(async () => expect((await stack.request('GET', '/timers', { key: otherKey })).status).toBe(401), { timeoutMs: 8000 });
  });

  it('returns the same timer for a retried create with the same Idempotency-Key', async () => {
    const body = { name: 'once', duration: '1h' };
    const first = await stack.request('POST', '/timers', { body, headers: { 'idempotency-key': 'req-1' } });
    const second = await stack.request('POST', '/timers', { body, headers: { 'idempotency-key': 'req-1' } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.timer.id).toBe(first.body.timer.id);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const reused = await stack.request('POST', '/timers', { body: { ...body, name: 'other' }, headers: { 'idempotency-key': 'req-1' } });
    expect(reused.status).toBe(422);
    const listed = await stack.request('GET', '/timers?name=once');
    expect(listed.body.timers).toHaveLength(1);
  });
});
