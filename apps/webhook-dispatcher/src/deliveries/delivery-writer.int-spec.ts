import { createDatabase, migrateServiceSchema } from '@minoots/database';
import { createTestDatabase, TestDatabase } from '@minoots/testing';
import { dispatcherMigrations } from '../database/migrations';
import { DispatcherDatabase } from '../database/dispatcher-database.type';
import { AttemptRecord, DeliveriesRepository } from './deliveries.repository';
import { DeliveryWriter, FIRST_ATTEMPT_HOLD_MS } from './delivery-writer.service';
import { newDeliveryRow } from './new-delivery-row.util';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A new delivery waits for its first attempt and lands with it as one row (one insert, not an
 * insert and an update); and it still lands when no attempt comes, when asked, or at shutdown.
 */
describe('DeliveryWriter (real Postgres)', () => {
  let database: TestDatabase;
  let db: DispatcherDatabase;
  let writer: DeliveryWriter;

  beforeAll(async () => {
    database = await createTestDatabase('dlvwriter');
    await migrateServiceSchema(database.url, 'dispatcher', dispatcherMigrations);
    db = createDatabase({ url: database.url, max: 2 });
  });

  beforeEach(() => {
    writer = new DeliveryWriter(new DeliveriesRepository(db));
  });

  afterEach(() => writer.onApplicationShutdown());

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  const row = (eventId: string) =>
    newDeliveryRow({
      tenantId: 'ten_w',
      eventId,
      eventType: 'timer.expired',
      timerId: `timer_${eventId}`,
      target: 'on_expire',
      endpointId: null,
      url: 'http://127.0.0.1:9/hook',
      payload: { event: 'timer_expired' },
      maxAttempts: 3,
      eventTimeMs: 1_800_000_000_000,
      lease: { owner: 'writer-spec', until: new Date(Date.now() + 60_000) },
    });

  const succeeded = (deliveryId: string): AttemptRecord => ({
    attempt: { delivery_id: deliveryId, attempt: 1, started_at: new Date(), duration_ms: 3, status_code: 200, response_excerpt: 'ok', error: null, outcome: 'succeeded' },
    update: { status: 'succeeded', nextAttemptAt: null, error: null },
  });

  const stored = (id: string) => db.selectFrom('dispatcher.deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  const attempts = (id: string) => db.selectFrom('dispatcher.delivery_attempts').selectAll().where('delivery_id', '=', id).execute();
  /** Whether the promise has settled by now. */
  const settled = async (promise: Promise<unknown>) => Promise.race([promise.then(() => true), sleep(0).then(() => false)]);

  it('holds a new delivery until its first attempt, then writes both at once, the delivery already showing it', async () => {
    const delivery = row('evt_w1');
    const durable = writer.insertInFlight([delivery], [{ timerId: 'timer_evt_w1', seq: 7, status: 'expired', endedAt: new Date().toISOString() }]);
    // Several write windows later: the terminal is written, the delivery still waits.
    await sleep(150);
    expect(await stored(delivery.id as string)).toBeUndefined();
    expect(await settled(durable)).toBe(false);
    const terminal = await db.selectFrom('dispatcher.timer_terminals').select('seq').where('timer_id', '=', 'timer_evt_w1').executeTakeFirst();
    expect(terminal).toEqual({ seq: 7 });

    await writer.record(succeeded(delivery.id as string));
    await durable;
    expect(await stored(delivery.id as string)).toMatchObject({ status: 'succeeded', attempt_count: 1, lease_owner: null, completed_at: expect.any(Date) });
    expect(await attempts(delivery.id as string)).toEqual([expect.objectContaining({ attempt: 1, status_code: 200, outcome: 'succeeded' })]);
  });

  it('writes a held delivery at once when asked (no attempt now), and its later attempt as an update', async () => {
    const delivery = row('evt_w2');
    const durable = writer.insertInFlight([delivery]);
    await writer.written(delivery.id as string);
    expect(await stored(delivery.id as string)).toMatchObject({ status: 'pending', attempt_count: 0, lease_owner: 'writer-spec' });
    await durable;
    // Asked again: already written.
    await writer.written(delivery.id as string);

    await writer.record(succeeded(delivery.id as string));
    expect(await stored(delivery.id as string)).toMatchObject({ status: 'succeeded', attempt_count: 1, lease_owner: null });
    expect(await attempts(delivery.id as string)).toHaveLength(1);
  });

  it(`writes a delivery whose attempt has not ended after ${FIRST_ATTEMPT_HOLD_MS} ms, leased, so the batch can be acknowledged`, async () => {
    const delivery = row('evt_w3');
    const started = Date.now();
    await writer.insertInFlight([delivery]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(FIRST_ATTEMPT_HOLD_MS - 5);
    expect(await stored(delivery.id as string)).toMatchObject({ status: 'pending', lease_owner: 'writer-spec', attempt_count: 0 });
  });

  it('writes what it holds when the service shuts down', async () => {
    const delivery = row('evt_w4');
    const durable = writer.insertInFlight([delivery]);
    await sleep(50);
    await writer.onApplicationShutdown();
    await durable;
    expect(await stored(delivery.id as string)).toMatchObject({ status: 'pending' });
  });

  it('still writes the delivery when Postgres refuses its first attempt’s record', async () => {
    const delivery = row('evt_w5');
    const durable = writer.insertInFlight([delivery]);
    // An attempt number Postgres refuses (out of int range): the record fails, alone.
    const refused = succeeded(delivery.id as string);
    refused.attempt.attempt = 2 ** 40;
    await expect(writer.record(refused)).rejects.toThrow();
    await durable;
    expect(await stored(delivery.id as string)).toMatchObject({ status: 'pending', attempt_count: 0 });
    expect(await attempts(delivery.id as string)).toEqual([]);
  });
});
