import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { jetstreamManager } from '@nats-io/jetstream';
import { createEvent, streamNameFor, TimerSpec } from '@minoots/contracts';
import { verifyStandardWebhook } from '@minoots/signing';
import { expectEventually } from '@minoots/testing';
import { DispatcherHarness } from './testing/dispatcher-harness';
import { SigningSecretsService } from './signing-secrets/signing-secrets.service';
import { TerminalsJanitor } from './deliveries/terminals-janitor.service';
import { TimerEventIntake } from './deliveries/timer-event-intake.service';
import { TimerTerminalsRepository } from './deliveries/timer-terminals.repository';
import { DeliveriesRepository } from './deliveries/deliveries.repository';
import { RETRY_SCHEDULE } from './deliveries/retry-schedule.provider';
import { DISPATCHER_CONFIG } from './config/dispatcher.config';
import { EndpointsRepository } from './endpoints/endpoints.repository';
import { EndpointsService } from './endpoints/endpoints.service';

describe('webhook dispatcher (real Postgres, NATS and HTTP)', () => {
  // A hold a receiver can outlast well within the attempt timeout, and that a quick attempt does not
  // outlast even on a starved machine (a CI run where it did would write it twice).
  const h = new DispatcherHarness('dispatcher', { DELIVERY_FIRST_ATTEMPT_HOLD_MS: '2000', DELIVERY_TIMEOUT_MS: '8000' });

  function spec(id: string, webhookPath: string, extra: Partial<TimerSpec['events']> = {}): TimerSpec {
    return h.spec(id, { on_expire: { webhook: `${h.receiver.url}${webhookPath}`, message: 'Build done', data: { buildId: '123' } }, ...extra });
  }

  const publishCreated = (s: TimerSpec) => h.created(s);

  function expired(s: TimerSpec, tenantId = 'tenant_1', createdSeq?: number) {
    return createEvent('timer.expired', {
      id: `evt_fire_${s.id}_expire`,
      tenantId,
      aggregateId: s.id,
      data: { dueAt: s.fireAt, firedAt: new Date().toISOString(), timer: s, createdSeq },
    });
  }
  const cancelled = (s: TimerSpec) =>
    createEvent('timer.cancelled', { tenantId: 'tenant_1', aggregateId: s.id, data: { reason: 'Build completed early', cancelledAt: new Date().toISOString(), timer: s } });

  /** An intake of its own, for planning by hand: the running consumer's keeps its ledger and term. */
  const separateIntake = () =>
    new TimerEventIntake(
      h.app.get(DISPATCHER_CONFIG),
      h.app.get(RETRY_SCHEDULE),
      h.app.get(TimerTerminalsRepository),
      h.app.get(DeliveriesRepository),
      h.app.get(EndpointsRepository),
    );

  beforeAll(() => h.start());
  afterAll(() => h.stop());

  it('delivers the seeds’ payload with every header, signed under both schemes', async () => {
    const s = spec('timer_sig', '/expire');
    await publishCreated(s);
    await h.publisher.publish(expired(s));
    const [hit] = await expectEventually(() => {
      const hits = h.receiver.on('/expire');
      expect(hits).toHaveLength(1);
      return hits;
    });
    expect(hit.json).toMatchObject({
      event: 'timer_expired',
      timer: { id: s.id, name: s.name, status: 'expired', agentId: 'agent-7', duration: 1000, metadata: { team: 'ci' } },
      message: 'Build done',
      data: { buildId: '123' },
    });
    expect(hit.json.timer.expiredAt).toEqual(expect.any(String));
    const { secret } = await h.app.get(SigningSecretsService).view('tenant_1');
    expect(secret).toMatch(/^whsec_/);
    // The seeds' check, written independently here.
    const expected = `sha256=${createHmac('sha256', secret).update(hit.body).digest('hex')}`;
    expect(hit.headers['x-minoots-signature']).toBe(expected);
    expect(
      verifyStandardWebhook({
        id: String(hit.headers['webhook-id']),
        timestamp: String(hit.headers['webhook-timestamp']),
        body: hit.body,
        signatureHeader: String(hit.headers['webhook-signature']),
        secrets: [secret],
      }),
    ).toBe(true);
    expect(hit.headers).toMatchObject({
      'content-type': 'application/json',
      'x-event-type': 'timer.expired',
      'x-minoots-attempt': '1',
      'x-webhook-id': `${s.id}.on_expire`,
    });
    expect(hit.headers['x-delivery-id']).toBe(hit.headers['webhook-id']);
    expect(String(hit.headers['user-agent'])).toMatch(/^MINOOTS-Webhooks/);
    // The attempt is recorded once the receiver has answered.
    await expectEventually(async () => {
      const attempts = await h.db.selectFrom('dispatcher.delivery_attempts').selectAll().execute();
      expect(attempts).toEqual([expect.objectContaining({ attempt: 1, status_code: 200, outcome: 'succeeded', response_excerpt: 'OK' })]);
    });
  });

  it('plans a redelivered event under the same delivery id, and not at all once its deliveries are written', async () => {
    const s = spec('timer_twice', '/twice');
    await publishCreated(s);
    const event = expired(s);
    const { seq } = await h.publisher.publish(event);
    const [hit] = await expectEventually(() => {
      const hits = h.receiver.on('/twice');
      expect(hits).toHaveLength(1);
      return hits;
    });
    const intake = separateIntake();
    // As after a crash between sending and writing (a new term, starting at the event): the same
    // delivery, under the same id.
    const term = { firstSeq: seq };
    const replanned = await intake.plan([{ event, seq, redelivered: false }], term, 10_000);
    expect(replanned.rows.map((r) => r.id)).toEqual([hit.headers['x-delivery-id']]);
    // Redelivered after its deliveries were written: nothing to do. The first attempt's write is
    // held until the receiver has answered, so it can land a little after the hit.
    await expectEventually(async () =>
      expect(await h.db.selectFrom('dispatcher.deliveries').select('id').where('id', '=', String(hit.headers['x-delivery-id'])).execute()).toHaveLength(1),
    );
    expect((await intake.plan([{ event, seq, redelivered: true }], term, 10_000)).rows).toEqual([]);
    // A later copy of the same terminal event (another sequence) lost to the first.
    expect((await intake.plan([{ event, seq: seq + 1_000, redelivered: false }], term, 10_000)).rows).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.receiver.on('/twice')).toHaveLength(1);
  });

  it('replans only the deliveries of a redelivered event that were not written', async () => {
    await h.app.get(EndpointsService).create({ tenantId: 'tenant_partial', input: { name: 'all expiries', url: `${h.receiver.url}/partial-endpoint`, eventTypes: ['timer.expired'] } });
    const s = spec('timer_partial', '/partial-own');
    await h.created(s, 'tenant_partial');
    const event = expired(s, 'tenant_partial');
    const { seq } = await h.publisher.publish(event);
    const rows = await expectEventually(async () => {
      const written = await h.db.selectFrom('dispatcher.deliveries').select(['id', 'target', 'status']).where('timer_id', '=', s.id).orderBy('id').execute();
      expect(written.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
      return written;
    });
    // As after a crash with one of the event's deliveries written and the other still in its first attempt.
    const [lost] = rows.filter((r) => r.target !== 'on_expire');
    await h.db.deleteFrom('dispatcher.delivery_attempts').where('delivery_id', '=', lost.id).execute();
    await h.db.deleteFrom('dispatcher.deliveries').where('id', '=', lost.id).execute();
    const replanned = await separateIntake().plan([{ event, seq, redelivered: true }], { firstSeq: seq }, 10_000);
    expect(replanned.rows.map((r) => r.id)).toEqual([lost.id]);
  });

  it('writes a delivery once, with its first attempt, unless the attempt outlasts the hold', async () => {
    // Every later version of a delivery row, recorded by Postgres itself.
    await sql`create table public.delivery_updates (id text not null, status text not null)`.execute(h.db);
    await sql`
      create function public.record_delivery_update() returns trigger language plpgsql as $$
      begin insert into public.delivery_updates values (new.id, new.status); return new; end $$`.execute(h.db);
    await sql`create trigger record_updates after update on dispatcher.deliveries for each row execute function public.record_delivery_update()`.execute(h.db);
    try {
      h.receiver.script = (req) => (req.path === '/outlasts' ? { status: 200, body: 'OK', delayMs: 4_000 } : { status: 200, body: 'OK' });
      const quick = ['timer_once_1', 'timer_once_2', 'timer_once_3'].map((id) => spec(id, '/once'));
      const slow = spec('timer_outlasts', '/outlasts');
      for (const s of [...quick, slow]) await publishCreated(s);
      for (const s of [...quick, slow]) await h.publisher.publish(expired(s));
      const ids = [...quick, slow].map((s) => s.id);
      const rows = await expectEventually(async () => {
        const written = await h.db.selectFrom('dispatcher.deliveries').select(['id', 'timer_id', 'status', 'attempt_count', 'created_at']).where('timer_id', 'in', ids).orderBy('timer_id').execute();
        expect(written.map((r) => [r.timer_id, r.status, r.attempt_count])).toEqual([...ids].sort().map((id) => [id, 'succeeded', 1]));
        return written;
      });
      const updates = await sql<{ id: string; status: string }>`select id, status from public.delivery_updates where id = any(${rows.map((r) => r.id)}::text[])`.execute(h.db);
      // The quick ones went in already showing their attempt; the slow one was written pending when the
      // hold ran out, and updated when its attempt ended.
      const slowId = rows.find((r) => r.timer_id === slow.id)!.id;
      expect(updates.rows).toEqual([{ id: slowId, status: 'succeeded' }]);
      const attempts = await h.db.selectFrom('dispatcher.delivery_attempts').select(['delivery_id', 'attempt', 'outcome', 'started_at']).where('delivery_id', 'in', rows.map((r) => r.id)).execute();
      expect(attempts).toHaveLength(4);
      expect(attempts.every((a) => a.attempt === 1 && a.outcome === 'succeeded')).toBe(true);
      // Written after their attempts, yet dated when they were planned, before those attempts began.
      for (const row of rows) expect(row.created_at.getTime()).toBeLessThanOrEqual(attempts.find((a) => a.delivery_id === row.id)!.started_at.getTime());
    } finally {
      await sql`drop trigger record_updates on dispatcher.deliveries`.execute(h.db);
    }
  });

  it('writes a delivery whose first attempt Postgres refuses to record, and goes on acknowledging', async () => {
    // A record refused for its data, as Postgres would refuse a value it cannot store.
    await sql`alter table dispatcher.delivery_attempts add constraint refuse_marked check (response_excerpt is distinct from 'refuse me')`.execute(h.db);
    try {
      h.receiver.script = (req) => (req.path === '/refused' ? { status: 200, body: 'refuse me' } : { status: 200, body: 'OK' });
      const refused = spec('timer_refused', '/refused');
      const after = spec('timer_after_refused', '/after-refused');
      for (const s of [refused, after]) await publishCreated(s);
      await h.publisher.publish(expired(refused));
      const { seq } = await h.publisher.publish(expired(after));
      await expectEventually(async () => {
        const rows = await h.db.selectFrom('dispatcher.deliveries').select(['timer_id', 'status', 'attempt_count']).where('timer_id', 'in', [refused.id, after.id]).orderBy('timer_id').execute();
        // In alone, as planned (leased: the sweeper tries it again after the lease), not lost.
        expect(rows).toEqual([
          { timer_id: after.id, status: 'succeeded', attempt_count: 1 },
          { timer_id: refused.id, status: 'pending', attempt_count: 0 },
        ]);
      });
      const jsm = await jetstreamManager(h.nc);
      await expectEventually(async () => {
        const info = await jsm.consumers.info(streamNameFor(h.namespace, 'timers'), 'webhook-dispatcher');
        expect(info.ack_floor.stream_seq).toBeGreaterThanOrEqual(seq);
      });
    } finally {
      await sql`alter table dispatcher.delivery_attempts drop constraint refuse_marked`.execute(h.db);
    }
  });

  it('forgets timer terminals older than the retention, and only those', async () => {
    const day = 24 * 3600 * 1000;
    await h.db
      .insertInto('dispatcher.timer_terminals')
      .values([
        { timer_id: 'timer_old', seq: 1, status: 'expired', ended_at: new Date(Date.now() - 9 * day), recorded_at: new Date(Date.now() - 9 * day) },
        { timer_id: 'timer_recent', seq: 2, status: 'cancelled', ended_at: new Date(Date.now() - day), recorded_at: new Date(Date.now() - day) },
      ])
      .execute();
    expect(await h.app.get(TerminalsJanitor).prune()).toBe(1);
    const left = await h.db.selectFrom('dispatcher.timer_terminals').select('timer_id').where('timer_id', 'in', ['timer_old', 'timer_recent']).execute();
    expect(left).toEqual([{ timer_id: 'timer_recent' }]);
  });

  it('sends a cancellation to on_cancel, or else on_expire, and nothing after it', async () => {
    const withCancel = spec('timer_c1', '/c1-expire', { on_cancel: { webhook: `${h.receiver.url}/c1-cancel`, message: 'stopped' } });
    const withoutCancel = spec('timer_c2', '/c2-expire');
    for (const s of [withCancel, withoutCancel]) {
      await publishCreated(s);
      await h.publisher.publish(cancelled(s));
      await h.publisher.publish(expired(s)); // a firing that lost the race: ignored
    }
    await expectEventually(() => {
      expect(h.receiver.on('/c1-cancel')).toHaveLength(1);
      expect(h.receiver.on('/c2-expire')).toHaveLength(1);
    });
    expect(h.receiver.on('/c1-cancel')[0].json).toMatchObject({
      event: 'timer_cancelled',
      reason: 'Build completed early',
      message: 'stopped',
      timer: { id: 'timer_c1', status: 'cancelled', reason: 'Build completed early' },
    });
    expect(h.receiver.on('/c2-expire')[0].json).toMatchObject({ event: 'timer_cancelled', timer: { id: 'timer_c2', status: 'cancelled' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.receiver.on('/c1-expire')).toHaveLength(0);
    expect(h.receiver.on('/c2-expire')).toHaveLength(1);
  });

  it('settles the race of a timer created in this term in memory, and still records its terminal', async () => {
    const settle = jest.spyOn(h.app.get(TimerTerminalsRepository), 'settle');
    try {
      const s = spec('timer_mem', '/mem-expire');
      const { seq: createdSeq } = await publishCreated(s);
      const { seq: cancelSeq } = await h.publisher.publish(cancelled(s));
      await h.publisher.publish(expired(s, 'tenant_1', createdSeq)); // lost to the cancel: ignored
      const won = spec('timer_mem_won', '/mem-won');
      const { seq: wonCreatedSeq } = await publishCreated(won);
      await h.publisher.publish(expired(won, 'tenant_1', wonCreatedSeq));
      // Two independent attempts: either may arrive first.
      await expectEventually(() => {
        expect(h.receiver.on('/mem-won')).toHaveLength(1);
        expect(h.receiver.on('/mem-expire').map((hit) => hit.json.event)).toEqual(['timer_cancelled']);
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(h.receiver.on('/mem-expire')).toHaveLength(1);
      // Firings tell their timer's creation, so neither expiry was settled in Postgres (the cancel,
      // which does not, may have been, depending on how the events were batched).
      const asked = settle.mock.calls.flatMap(([claims]) => claims);
      expect(asked.filter((c) => c.status === 'expired' || c.timerId === 'timer_mem_won')).toEqual([]);
      // Written with the deliveries, for whoever consumes next.
      await expectEventually(async () => {
        const rows = await h.db.selectFrom('dispatcher.timer_terminals').select(['timer_id', 'seq', 'status']).where('timer_id', 'in', ['timer_mem', 'timer_mem_won']).orderBy('timer_id').execute();
        expect(rows).toEqual([
          { timer_id: 'timer_mem', seq: cancelSeq, status: 'cancelled' },
          { timer_id: 'timer_mem_won', seq: expect.any(Number), status: 'expired' },
        ]);
      });
    } finally {
      settle.mockRestore();
    }
  });

  it('asks Postgres about a timer created before the term, and drops an expiry that lost there', async () => {
    const s = spec('timer_old_term', '/old-term');
    await h.db.insertInto('dispatcher.timer_terminals').values({ timer_id: s.id, seq: 5, status: 'cancelled', ended_at: new Date() }).execute();
    const intake = separateIntake();
    const late = { event: expired(s, 'tenant_1', 3), seq: 900_000, redelivered: false };
    // A term that began after the timer was created: the ledger cannot vouch for it.
    expect((await intake.plan([late], { firstSeq: 800_000 }, 10_000)).rows).toEqual([]);
    // Had the term seen its creation, the ledger alone would decide (and know of no cancel).
    const planned = await intake.plan([late], { firstSeq: 2 }, 10_000);
    expect(planned.rows).toHaveLength(1);
    expect(planned.terminals).toEqual([expect.objectContaining({ timerId: s.id, seq: 900_000, status: 'expired' })]);
  });

  it('retries a failing receiver with the same delivery id and a rising attempt number', async () => {
    h.receiver.script = (req, n) => (req.path === '/flaky' && n < 3 ? { status: 503, body: 'try later' } : { status: 200, body: 'OK' });
    const s = spec('timer_flaky', '/flaky');
    await publishCreated(s);
    await h.publisher.publish(expired(s));
    const hits = await expectEventually(() => {
      const flaky = h.receiver.on('/flaky');
      expect(flaky).toHaveLength(3);
      return flaky;
    });
    expect(hits.map((hit) => hit.headers['x-minoots-attempt'])).toEqual(['1', '2', '3']);
    expect(new Set(hits.map((hit) => hit.headers['x-delivery-id'])).size).toBe(1);
    const delivery = await h.db.selectFrom('dispatcher.deliveries').selectAll().where('timer_id', '=', s.id).executeTakeFirstOrThrow();
    await expectEventually(async () => {
      const row = await h.db.selectFrom('dispatcher.deliveries').select(['status', 'attempt_count']).where('id', '=', delivery.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'succeeded', attempt_count: 3 });
    });
    const attempts = await h.db.selectFrom('dispatcher.delivery_attempts').selectAll().where('delivery_id', '=', delivery.id).orderBy('attempt').execute();
    expect(attempts.map((a) => [a.attempt, a.status_code, a.outcome])).toEqual([
      [1, 503, 'failed'],
      [2, 503, 'failed'],
      [3, 200, 'succeeded'],
    ]);
    expect(attempts[0].response_excerpt).toBe('try later');
  });

  it('refuses a private target without sending, and records why', async () => {
    const s = spec('timer_ssrf', '/unused', { on_expire: { webhook: 'http://169.254.169.254/latest/meta-data' } });
    await publishCreated(s);
    await h.publisher.publish(expired(s));
    const row = await expectEventually(async () => {
      const r = await h.db.selectFrom('dispatcher.deliveries').selectAll().where('timer_id', '=', s.id).executeTakeFirstOrThrow();
      expect(r.status).toBe('dead');
      return r;
    });
    expect(row.attempt_count).toBe(1);
    expect(row.last_error).toMatch(/target refused/);
  });

  it('rotates the signing secret and signs with both during the grace period', async () => {
    const service = h.app.get(SigningSecretsService);
    const before = await service.view('tenant_rot');
    const after = await service.rotate('tenant_rot', 60);
    expect(after.secret).not.toBe(before.secret);
    expect(after.previousSecretExpiresAt).toEqual(expect.any(String));
    expect((await service.keysFor('tenant_rot')).all).toEqual([after.secret, before.secret]);
    const stored = await h.db.selectFrom('dispatcher.signing_secrets').selectAll().where('tenant_id', '=', 'tenant_rot').executeTakeFirstOrThrow();
    expect(stored.secret_sealed).not.toContain(after.secret.slice(6));
  });
});
