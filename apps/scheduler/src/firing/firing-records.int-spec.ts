import { sql } from 'kysely';
import { createEvent, TimerSpec } from '@minoots/contracts';
import { createDatabase, migrateToLatest } from '@minoots/database';
import { createTestDatabase, TestDatabase } from '@minoots/testing';
import { schedulerMigrations } from '../database/migrations';
import { SchedulerDatabase, SchedulerDB } from '../database/scheduler-database.type';
import { projectCreatedTimer, TerminalChange, TimersRepository } from '../timers/timers.repository';
import { TimerProjection } from '../timers/timer-projection.service';
import { ClaimedTrigger, TriggersRepository } from './triggers.repository';

const TENANT = 'tenant_rec';
const LEASE_MS = 10_000;

function spec(id: string, dueInMs: number, milestones: number[] = []): TimerSpec {
  const now = Date.now();
  return {
    id,
    name: id,
    agentId: null,
    durationMs: Math.max(1, dueInMs),
    startAt: new Date(now).toISOString(),
    fireAt: new Date(now + dueInMs).toISOString(),
    milestones: milestones.map((p) => ({ label: `${p}%`, percent: p })),
    events: { on_expire: { webhook: 'https://example.com/hook' } },
    metadata: {},
    createdAt: new Date(now).toISOString(),
  };
}

function cancel(timerId: string, seq: number): TerminalChange {
  return { timerId, tenantId: TENANT, seq, status: 'cancelled', at: new Date().toISOString(), reason: 'test' };
}

/**
 * The projection does not receive firings: the firing replica records each expiry itself, and a
 * cancel leaves claimed triggers to their holder. These are the records that make the timer's end
 * the one that came first in the stream, whichever lands first.
 */
describe('firing records (real Postgres)', () => {
  let database: TestDatabase;
  let db: SchedulerDatabase;
  let timers: TimersRepository;
  let triggers: TriggersRepository;
  let seq = 100;

  beforeAll(async () => {
    database = await createTestDatabase('firingrec');
    db = createDatabase<SchedulerDB>({ url: database.url, max: 2 });
    await migrateToLatest(db, 'scheduler', schedulerMigrations);
    timers = new TimersRepository(db);
    triggers = new TriggersRepository(db);
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  async function created(id: string, dueInMs: number, milestones: number[] = []): Promise<void> {
    await timers.insertCreated([projectCreatedTimer(TENANT, spec(id, dueInMs, milestones), ++seq)]);
  }

  async function claim(owner: string, id: string): Promise<ClaimedTrigger[]> {
    const claimed = await triggers.claimDue(owner, new Date(Date.now() + 60_000), 10_000, 1_000);
    return claimed.filter((t) => t.timerId === id);
  }

  async function row(id: string) {
    const timer = await sql<{ status: string; terminal_seq: string | null; expired_at: Date | null; cancelled_at: Date | null; cancel_reason: string | null }>`
      select status, terminal_seq, expired_at, cancelled_at, cancel_reason from scheduler.timers where id = ${id}`.execute(db);
    const rows = await sql<{ kind: string; state: number; lease_owner: string | null }>`
      select kind, state, lease_owner from scheduler.triggers where timer_id = ${id} order by kind`.execute(db);
    return { ...timer.rows[0], terminal_seq: Number(timer.rows[0].terminal_seq), triggers: rows.rows };
  }

  it('markFired ends the timer at the expiry’s sequence, and a later cancel landing after changes nothing', async () => {
    await created('t_mark_first', 0);
    const [expiry] = await claim('replica-a', 't_mark_first');
    await triggers.markFired([{ trigger: expiry, firedAt: new Date(), seq: 500 }]);
    expect(await timers.applyTerminals([cancel('t_mark_first', 501)])).toEqual([]);
    expect(await row('t_mark_first')).toMatchObject({ status: 'expired', terminal_seq: 500, cancelled_at: null, triggers: [{ kind: 'expire', state: 1, lease_owner: null }] });
  });

  it('an expiry first in the stream wins though its record lands after the cancel, which leaves the claimed trigger alone', async () => {
    await created('t_cancel_lands_first', 0);
    const [expiry] = await claim('replica-a', 't_cancel_lands_first');
    expect(await timers.applyTerminals([cancel('t_cancel_lands_first', 601)])).toEqual(['t_cancel_lands_first']);
    expect(await row('t_cancel_lands_first')).toMatchObject({ status: 'cancelled', triggers: [{ state: 0, lease_owner: 'replica-a' }] });
    // Meanwhile, a read after the cancel waits: the expiry is due, claimed and unsettled.
    expect(await timers.expiryUnsettled('t_cancel_lands_first', 60_000, LEASE_MS)).toBe(true);

    await triggers.markFired([{ trigger: expiry, firedAt: new Date(), seq: 600 }]);
    expect(await row('t_cancel_lands_first')).toMatchObject({ status: 'expired', terminal_seq: 600, cancelled_at: null, cancel_reason: null, triggers: [{ state: 1 }] });
    expect(await timers.expiryUnsettled('t_cancel_lands_first', 60_000, LEASE_MS)).toBe(false);
  });

  it('a cancel first in the stream wins against an expiry after it, in either order of landing', async () => {
    for (const [id, cancelFirst] of [['t_late_expiry_a', true], ['t_late_expiry_b', false]] as const) {
      await created(id, 0);
      const [expiry] = await claim('replica-a', id);
      if (cancelFirst) await timers.applyTerminals([cancel(id, 700)]);
      await triggers.markFired([{ trigger: expiry, firedAt: new Date(), seq: 701 }]);
      if (!cancelFirst) await timers.applyTerminals([cancel(id, 700)]);
      expect(await row(id)).toMatchObject({ status: 'cancelled', terminal_seq: 700, expired_at: null });
    }
  });

  it('a rebuild batch holding a firing and, after it, a cancel ends with the trigger fired, as live', async () => {
    const timer = spec('t_fired_then_cancelled', 3_600_000, [10]);
    const { milestones: _milestones, ...snapshot } = timer;
    const firedAt = new Date().toISOString();
    const batch = [
      createEvent('timer.created', { tenantId: TENANT, aggregateId: timer.id, data: { timer } }),
      createEvent('timer.progress', { tenantId: TENANT, aggregateId: timer.id, data: { milestone: '10%', percent: 10, dueAt: firedAt, firedAt, timer: snapshot } }),
      createEvent('timer.cancelled', { tenantId: TENANT, aggregateId: timer.id, data: { reason: null, cancelledAt: firedAt, timer: snapshot } }),
    ].map((event, i) => ({ event, seq: 2_000 + i, redelivered: true }));
    // Live, the progress trigger was marked fired when published; the cancel then dropped the expiry.
    await new TimerProjection(timers).apply(batch, { recordFirings: true });
    expect(await row(timer.id)).toMatchObject({
      status: 'cancelled',
      terminal_seq: 2_002,
      triggers: [
        { kind: 'expire', state: 2, lease_owner: null },
        { kind: 'progress', state: 1, lease_owner: null },
      ],
    });
  });

  it('a progress record does not end the timer', async () => {
    await created('t_progress', 0, [50]);
    const claimed = await claim('replica-a', 't_progress');
    const progress = claimed.find((t) => t.kind === 'progress')!;
    await triggers.markFired([{ trigger: progress, firedAt: new Date(), seq: 800 }]);
    expect(await row('t_progress')).toMatchObject({ status: 'pending', terminal_seq: 0, triggers: [{ kind: 'expire', state: 0 }, { kind: 'progress', state: 1 }] });
  });

  it('a cancel drops unclaimed triggers at once; the holder records its claimed ones cancelled, under its own lease only', async () => {
    await created('t_unclaimed', 3_600_000);
    await timers.applyTerminals([cancel('t_unclaimed', 900)]);
    expect((await row('t_unclaimed')).triggers).toEqual([{ kind: 'expire', state: 2, lease_owner: null }]);

    await created('t_held', 5_000);
    const held = await claim('replica-a', 't_held');
    await timers.applyTerminals([cancel('t_held', 901)]);
    expect(await timers.expiryUnsettled('t_held', 60_000, LEASE_MS)).toBe(false); // not due yet: nothing can be in flight
    await triggers.cancelHeld('replica-b', held);
    expect((await row('t_held')).triggers).toEqual([{ kind: 'expire', state: 0, lease_owner: 'replica-a' }]);
    await triggers.cancelHeld('replica-a', held);
    expect((await row('t_held')).triggers).toEqual([{ kind: 'expire', state: 2, lease_owner: null }]);
  });

  it('a claim says whether another lease held the trigger before, and the timer’s status', async () => {
    await created('t_recovered', 0);
    const [fresh] = await claim('replica-a', 't_recovered');
    expect(fresh).toMatchObject({ recovered: false, timerStatus: 'pending' });
    await timers.applyTerminals([cancel('t_recovered', 950)]);
    // replica-a died: its lease runs out, and another replica claims the trigger.
    await sql`update scheduler.triggers set lease_until = now() - interval '1 second' where timer_id = 't_recovered'`.execute(db);
    const [recovered] = await claim('replica-b', 't_recovered');
    expect(recovered).toMatchObject({ recovered: true, timerStatus: 'cancelled' });
  });

  it('ends the lease of an expiry left unsettled past the stall time, so another replica re-claims it as recovered', async () => {
    await created('t_stalled', 0);
    await claim('replica-dead', 't_stalled');
    // Within the stall time: the holder may still be at it, its lease stays.
    expect(await timers.expiryUnsettled('t_stalled', 60_000, LEASE_MS)).toBe(true);
    expect(await claim('replica-b', 't_stalled')).toEqual([]);
    // Claimed 3 s before it fell due, 2 s ago: its holder is gone.
    await sql`update scheduler.triggers set due_at = now() - interval '2 seconds', lease_until = now() + interval '5 seconds' where timer_id = 't_stalled'`.execute(db);
    expect(await timers.expiryUnsettled('t_stalled', 1_000, LEASE_MS)).toBe(true);
    const [recovered] = await claim('replica-b', 't_stalled');
    expect(recovered).toMatchObject({ recovered: true });
    // replica-b's lease, taken after the due time, is a recovery under way: left alone.
    expect(await timers.expiryUnsettled('t_stalled', 1_000, LEASE_MS)).toBe(true);
    expect(await claim('replica-c', 't_stalled')).toEqual([]);
  });

  it('releaseLeases hands back this owner’s claims but for those it is told to keep', async () => {
    await created('t_release_a', 1_000);
    await created('t_release_b', 1_000);
    const claimed = await triggers.claimDue('replica-r', new Date(Date.now() + 60_000), 10_000, 1_000);
    expect(claimed.map((t) => t.timerId)).toEqual(expect.arrayContaining(['t_release_a', 't_release_b']));
    await triggers.releaseLeases('replica-r', [{ timerId: 't_release_b', kind: 'expire', label: '' }]);
    expect((await row('t_release_a')).triggers).toEqual([{ kind: 'expire', state: 0, lease_owner: null }]);
    // Kept: claimable at once, but still owned, so its next claimer knows it may be out.
    expect((await row('t_release_b')).triggers).toEqual([{ kind: 'expire', state: 0, lease_owner: 'replica-r' }]);
    expect(await claim('replica-s', 't_release_b')).toEqual([expect.objectContaining({ recovered: true })]);
  });
});
