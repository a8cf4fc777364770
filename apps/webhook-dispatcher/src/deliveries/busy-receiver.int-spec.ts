import { sql } from 'kysely';
import { expectEventually } from '@minoots/testing';
import { DispatcherHarness } from '../testing/dispatcher-harness';
import { DispatcherMetrics } from '../metrics/dispatcher-metrics.service';
import { DeliveriesRepository } from './deliveries.repository';
import { EndpointRateLimiter } from './endpoint-rate-limiter';
import { newDeliveryRow } from './new-delivery-row.util';

describe('webhook dispatcher, a burst to a receiver slower than its connections (real Postgres, NATS and HTTP)', () => {
  // One connection to the receiver; an attempt has 3 s from its sending and may wait as long for the
  // connection. The sweeper takes up no more while five attempts are under way.
  const h = new DispatcherHarness('busyrecv', { DELIVERY_CONNECTIONS_PER_ORIGIN: '1', DELIVERY_TIMEOUT_MS: '3000', DELIVERY_SWEEP_MAX_IN_FLIGHT: '5' });

  beforeAll(async () => {
    await h.start();
    h.receiver.script = (request) => ({ status: 200, body: 'OK', delayMs: request.path === '/busy' ? 1_000 : 300 });
  });

  const pendingLeased = async () => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from dispatcher.deliveries where status = 'pending' and lease_owner is not null`.execute(h.db);
    return rows[0].n;
  };
  afterAll(() => h.stop());

  // The receiver takes 1 s per answer. Six timers fire at once: the first three go out in turn, and the
  // last two cannot get the connection within 3 s.
  it('puts back what could not be sent without using up an attempt, and sends each delivery once', async () => {
    const specs = [1, 2, 3, 4, 5, 6].map((i) => h.spec(`timer_busy_${i}`, { on_expire: { webhook: `${h.receiver.url}/busy` } }));
    for (const s of specs) await h.created(s);
    await Promise.all(specs.map((s) => h.expired(s)));

    const rows = await expectEventually(async () => {
      const { rows } = await sql<{ timer_id: string; status: string; attempt_count: number; rate_limited_count: number; attempts: string[] }>`
        select d.timer_id, d.status, d.attempt_count, d.rate_limited_count,
               array(select a.outcome from dispatcher.delivery_attempts a where a.delivery_id = d.id order by a.attempt) as attempts
          from dispatcher.deliveries d order by d.timer_id`.execute(h.db);
      expect(rows.map((r) => r.status)).toEqual(Array(6).fill('succeeded'));
      return rows;
    }, { timeoutMs: 30_000 });
    // Before, those that waited timed out as failed attempts and were retried, and one sent late
    // could be timed out while the receiver was answering it, then sent again.
    for (const row of rows) expect(row).toMatchObject({ attempt_count: 1, rate_limited_count: 0, attempts: ['succeeded'] });
    const ids = h.receiver.on('/busy').map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    // The last two at least were put back on the way.
    const notSent = h.app.get(DispatcherMetrics).registry.getSingleMetric('minoots_delivery_not_sent_total');
    expect((await notSent?.get())?.values[0]?.value).toBeGreaterThanOrEqual(2);
  }, 45_000);

  it('claims due deliveries only while fewer than DELIVERY_SWEEP_MAX_IN_FLIGHT attempts are under way', async () => {
    // Twenty retries come due at once; the receiver takes 0.3 s each on its one connection.
    const rows = Array.from({ length: 20 }, (_, i) =>
      newDeliveryRow({ tenantId: 'tenant_1', eventId: `evt_swept_${i}`, eventType: 'timer.expired', timerId: `timer_swept_${i}`, target: 'on_expire', endpointId: null, url: `${h.receiver.url}/swept`, payload: { i }, maxAttempts: 3 }),
    );
    const deliveries = h.app.get(DeliveriesRepository);
    await deliveries.transaction((trx) => deliveries.insertDeliveries(trx, rows));
    let most = 0;
    await expectEventually(
      async () => {
        most = Math.max(most, await pendingLeased());
        expect(h.receiver.on('/swept')).toHaveLength(20);
      },
      { timeoutMs: 20_000 },
    );
    // Claimed all at once, all twenty would be leased while most of them waited for the connection.
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(5);
  }, 30_000);

  it('gives an endpoint back the rate-limit reservation of a request put back unsent', async () => {
    const limiter = h.app.get(EndpointRateLimiter);
    // One a minute: without the release, the second would have to wait a minute.
    expect(await limiter.reserve('ep_put_back', 1)).toBe(0);
    await limiter.release('ep_put_back', 1);
    expect(await limiter.reserve('ep_put_back', 1)).toBe(0);
    expect(await limiter.reserve('ep_put_back', 1)).toBeGreaterThan(0);
  });
});
