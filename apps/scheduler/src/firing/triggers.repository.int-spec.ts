import { sql } from 'kysely';
import { TimerSpec } from '@minoots/contracts';
import { migrateToLatest } from '@minoots/database';
import { PlanProbe } from '@minoots/testing';
import { schedulerMigrations } from '../database/migrations';
import { SchedulerDB } from '../database/scheduler-database.type';
import { projectCreatedTimer, TimersRepository } from '../timers/timers.repository';
import { TriggersRepository } from './triggers.repository';

const TIMERS = 20_000;
const STILL_PENDING = 10;

function spec(i: number): TimerSpec {
  const start = Date.now();
  return {
    id: `timer_plan_${String(i).padStart(6, '0')}`,
    name: 'plan',
    agentId: null,
    durationMs: 60_000 + i,
    startAt: new Date(start).toISOString(),
    fireAt: new Date(start + 60_000 + i).toISOString(),
    milestones: [],
    events: { on_expire: { webhook: 'https://example.com/hook' } },
    metadata: {},
    createdAt: new Date(start).toISOString(),
  };
}

/**
 * The firing loop's statements run every poll against a table that holds every trigger ever
 * fired. Each must reach the pending ones through the partial index `triggers_due`, also under
 * the generic plan Postgres switches a prepared statement to: a plan that scans the table grows
 * with the backlog (it tripled Postgres's CPU per creation over a million timers).
 */
describe('TriggersRepository query plans (real Postgres)', () => {
  let probe: PlanProbe<SchedulerDB>;

  beforeAll(async () => {
    probe = await PlanProbe.create<SchedulerDB>('trigplans');
    const db = probe.db;
    await migrateToLatest(db, 'scheduler', schedulerMigrations);
    await new TimersRepository(db).insertCreated(Array.from({ length: TIMERS }, (_, i) => projectCreatedTimer('ten_plan', spec(i), i + 1)));
    // Nearly all fired, as in a service that has run for a while; then statistics, as autovacuum would.
    await sql`update scheduler.triggers set state = 1 where timer_id > ${spec(STILL_PENDING - 1).id}`.execute(db);
    await sql`analyze scheduler.triggers`.execute(db);
  });

  afterAll(() => probe?.drop());

  const planOf = (run: (triggers: TriggersRepository) => Promise<unknown>) => probe.genericPlanOf((db) => run(new TriggersRepository(db)));

  it.each([
    ['claimDue', (t: TriggersRepository) => t.claimDue('plan-test', new Date(Date.now() + 120_000), 10_000, 100)],
    ['claimDue, reclaiming its own', (t: TriggersRepository) => t.claimDue('plan-test', new Date(Date.now() + 120_000), 10_000, 100, true)],
    ['nextDueAt', (t: TriggersRepository) => t.nextDueAt()],
    ['countPending', (t: TriggersRepository) => t.countPending()],
  ])('%s reads pending triggers through triggers_due under a generic plan', async (_name, run) => {
    const plan = await planOf(run);
    expect(plan).toContain('triggers_due');
    expect(plan).not.toMatch(/Seq Scan on triggers/);
  });

  it('claimDue still claims the pending triggers due before the horizon, and only those', async () => {
    const claimed = await new TriggersRepository(probe.db).claimDue('plan-test', new Date(Date.now() + 120_000), 10_000, 100, true);
    expect(claimed.map((c) => c.timerId).sort()).toEqual(Array.from({ length: STILL_PENDING }, (_, i) => spec(i).id));
  });
});
