import { sql } from 'kysely';
import { migrateToLatest } from '@minoots/database';
import { PlanProbe } from '@minoots/testing';
import { dispatcherMigrations } from '../database/migrations';
import { DispatcherDB } from '../database/dispatcher-database.type';
import { DeliveriesRepository } from './deliveries.repository';
import { newDeliveryRow } from './new-delivery-row.util';

const FINISHED = 20_000;
const DUE = 10;

/**
 * The sweeper's statements run every second against a table that keeps every delivery ever made.
 * They must reach the pending ones through the partial index `deliveries_due`, also under the
 * generic plan Postgres switches a prepared statement to; a scan of the table grows with history.
 */
describe('DeliveriesRepository query plans (real Postgres)', () => {
  let probe: PlanProbe<DispatcherDB>;

  beforeAll(async () => {
    probe = await PlanProbe.create<DispatcherDB>('dlvplans');
    const db = probe.db;
    await migrateToLatest(db, 'dispatcher', dispatcherMigrations);
    await sql`
      insert into dispatcher.deliveries (id, tenant_id, event_id, event_type, target, url, payload, status, max_attempts, next_attempt_at, completed_at)
      select 'dlv_' || lpad(i::text, 6, '0'), 'ten_plan', 'evt_' || i, 'timer.expired', 'on_expire', 'https://example.com/hook', '{}',
             case when i <= ${DUE} then 'pending' else 'succeeded' end, 5,
             case when i <= ${DUE} then now() - interval '1 s' end, case when i > ${DUE} then now() end
        from generate_series(1, ${FINISHED + DUE}) as i`.execute(db);
    await sql`analyze dispatcher.deliveries`.execute(db);
  });

  afterAll(() => probe?.drop());

  const planOf = (run: (deliveries: DeliveriesRepository) => Promise<unknown>) => probe.genericPlanOf((db) => run(new DeliveriesRepository(db)));

  it.each([
    ['claimDue', (d: DeliveriesRepository) => d.claimDue('plan-test', 10_000, 100)],
    ['countDue', (d: DeliveriesRepository) => d.countDue()],
  ])('%s reads pending deliveries through deliveries_due under a generic plan', async (_name, run) => {
    const plan = await planOf(run);
    expect(plan).toContain('deliveries_due');
    expect(plan).not.toMatch(/Seq Scan on deliveries/);
  });

  // Its update (attempts that finished after their delivery was written) joins on the delivery id:
  // a hash join over the whole table would read it all every group commit (every 25 ms).
  it('writeGroup reaches the deliveries it updates through the primary key under a generic plan', async () => {
    const plan = await planOf((d) =>
      d.writeGroup(
        [newDeliveryRow({ tenantId: 'ten_plan', eventId: 'evt_new', eventType: 'timer.expired', timerId: null, target: 'on_expire', endpointId: null, url: 'https://example.com/hook', payload: {}, maxAttempts: 5 })],
        [
          {
            attempt: { delivery_id: 'dlv_000001', attempt: 1, started_at: new Date(), duration_ms: 3, status_code: 200, response_excerpt: 'ok', error: null, outcome: 'succeeded' },
            update: { status: 'succeeded', nextAttemptAt: null, error: null },
          },
        ],
      ),
    );
    expect(plan).toContain('deliveries_pkey');
    expect(plan).not.toMatch(/Seq Scan on deliveries/);
  });

  it('countDue counts the due deliveries only', async () => {
    expect(await new DeliveriesRepository(probe.db).countDue()).toBe(DUE);
  });
});
