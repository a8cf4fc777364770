import { INestMicroservice } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Transport } from '@nestjs/microservices';
import { NatsConnection } from '@nats-io/nats-core';
import { ConsumerMessages, jetstream, jetstreamManager, JetStreamManager } from '@nats-io/jetstream';
import { AnyEvent, createEvent, decodeEvent, streamNameFor, TimerSpec } from '@minoots/contracts';
import { createDatabase, migrateToLatest } from '@minoots/database';
import { connectNats, EventPublisher } from '@minoots/messaging';
import { createTestDatabase, deleteNamespaceStreams, expectEventually, randomNamespace, TestDatabase } from '@minoots/testing';
import { SchedulerModule } from './scheduler.module';
import { loadSchedulerConfig, SCHEDULER_CONFIG } from './config/scheduler.config';
import { schedulerMigrations } from './database/migrations';
import { TimerQueryService } from './timers/timer-query.service';
import { TimerFiringService, triggerEvent } from './firing/timer-firing.service';
import { expireEventId } from './timers/timers.repository';
import { Kysely, sql } from 'kysely';
import { SchedulerDB } from './database/scheduler-database.type';
import { ProjectionRebuild } from './rebuild/projection-rebuild';

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

function timerSpec(id: string, durationMs: number, milestones: number[] = []): TimerSpec {
  const now = Date.now();
  return {
    id,
    name: `timer ${id}`,
    agentId: 'agent-1',
    durationMs,
    startAt: new Date(now).toISOString(),
    fireAt: new Date(now + durationMs).toISOString(),
    milestones: milestones.map((p) => ({ label: `${p}%`, percent: p })),
    events: { on_expire: { webhook: 'https://example.com/hook' } },
    metadata: { team: 'platform' },
    createdAt: new Date(now).toISOString(),
  };
}

describe('scheduler (real Postgres and NATS)', () => {
  const namespace = randomNamespace('sched');
  let database: TestDatabase;
  let nc: NatsConnection;
  let publisher: EventPublisher;
  const replicas: INestMicroservice[] = [];
  const fired: { event: AnyEvent; seq: number; receivedAt: number }[] = [];
  let watch: ConsumerMessages | undefined;
  let db: Kysely<SchedulerDB>;
  let jsm: JetStreamManager;

  async function startReplica(instanceId: string): Promise<INestMicroservice> {
    const env = {
      ...process.env,
      DATABASE_URL: database.url,
      MINOOTS_NAMESPACE: namespace,
      SCHEDULER_INSTANCE_ID: instanceId,
      SCHEDULER_METRICS_PORT: '0',
    };
    const moduleRef = await Test.createTestingModule({ imports: [SchedulerModule] })
      .overrideProvider(SCHEDULER_CONFIG)
      .useValue(loadSchedulerConfig(env))
      .compile();
    const app = moduleRef.createNestMicroservice({ transport: Transport.NATS, options: { servers: [NATS_URL], queue: `${namespace}.scheduler` } });
    if (!process.env.DEBUG_LOGS) app.useLogger(false);
    await app.listen();
    replicas.push(app);
    return app;
  }

  beforeAll(async () => {
    database = await createTestDatabase('scheduler');
    db = createDatabase<SchedulerDB>({ url: database.url, max: 2 });
    await migrateToLatest(db, 'scheduler', schedulerMigrations);
    nc = await connectNats(NATS_URL, 'scheduler-int-spec');
    publisher = await EventPublisher.create(nc, namespace);
    // Watch what the scheduler fires, with the time it arrives.
    jsm = await jetstreamManager(nc);
    await jsm.consumers.add(streamNameFor(namespace, 'timers'), { durable_name: 'watch', ack_policy: 'none' as never, filter_subject: `${namespace}.timers.>` });
    const consumer = await jetstream(nc).consumers.get(streamNameFor(namespace, 'timers'), 'watch');
    watch = await consumer.consume();
    const messages = watch;
    void (async () => {
      for await (const m of messages) {
        const event = decodeEvent(m.data);
        if (event.type === 'timer.expired' || event.type === 'timer.progress') fired.push({ event, seq: m.seq, receivedAt: Date.now() });
      }
    })();
    await startReplica('replica-a');
    await startReplica('replica-b');
  });

  afterAll(async () => {
    for (const app of replicas) await app.close();
    await watch?.close();
    await deleteNamespaceStreams(nc, namespace);
    await nc.close();
    await db.destroy();
    await database.drop();
  });

  it('fires each milestone and the expiry once, on time, across two replicas', async () => {
    const specs = Array.from({ length: 40 }, (_, i) => timerSpec(`timer_fire_${i}`, 600 + i * 10, [50]));
    for (const spec of specs) {
      await publisher.publish(createEvent('timer.created', { tenantId: 'tenant_a', aggregateId: spec.id, data: { timer: spec } }));
    }
    await expectEventually(() => expect(fired.filter((f) => f.event.type === 'timer.expired')).toHaveLength(40), { timeoutMs: 8000 });
    const progress = fired.filter((f) => f.event.type === 'timer.progress');
    expect(progress).toHaveLength(40);
    for (const spec of specs) {
      const events = fired.filter((f) => f.event.aggregateId === spec.id);
      expect(events.map((f) => f.event.type)).toEqual(['timer.progress', 'timer.expired']);
      const expired = events[1].event;
      if (expired.type !== 'timer.expired') throw new Error('unreachable');
      expect(expired.data.dueAt).toBe(spec.fireAt);
      // Fired at or after the due time, never before.
      expect(Date.parse(expired.data.firedAt)).toBeGreaterThanOrEqual(Date.parse(spec.fireAt));
    }
    const queries = replicas[0].get(TimerQueryService);
    await expectEventually(async () => {
      const { timer } = await queries.get({ tenantId: 'tenant_a', timerId: 'timer_fire_0' });
      expect(timer).toMatchObject({ status: 'expired', progress: 100, timeRemaining: 0, metadata: { team: 'platform' } });
    });
    // Recorded by the replica that fired it, at the expiry's place in the stream: the projection
    // received the 40 creations and none of the 80 firings.
    await expectEventually(async () => {
      const ended = await sql<{ id: string; terminal_seq: string }>`select id, terminal_seq from scheduler.timers where status = 'expired'`.execute(db);
      expect(ended.rows).toHaveLength(40);
      for (const { id, terminal_seq } of ended.rows) {
        expect(Number(terminal_seq)).toBe(fired.find((f) => f.event.aggregateId === id && f.event.type === 'timer.expired')?.seq);
      }
    });
    const projection = await jsm.consumers.info(streamNameFor(namespace, 'timers'), 'scheduler');
    expect(projection.config.filter_subject).toBe(`${namespace}.timers.*`);
    expect(projection.delivered.consumer_seq).toBe(40);
  });

  it('does not fire a cancelled timer, and answers reads after a write with the write applied', async () => {
    const spec = timerSpec('timer_cancel_1', 800);
    await publisher.publish(createEvent('timer.created', { tenantId: 'tenant_a', aggregateId: spec.id, data: { timer: spec } }));
    const { seq } = await publisher.publish(
      createEvent('timer.cancelled', {
        tenantId: 'tenant_a',
        aggregateId: spec.id,
        data: { reason: 'build finished', cancelledAt: new Date().toISOString(), timer: spec },
      }),
    );
    const queries = replicas[1].get(TimerQueryService);
    // Asked right after the write, on either replica (only one projects), the read sees the write.
    const { timer } = await queries.get({ tenantId: 'tenant_a', timerId: spec.id, minSeq: seq });
    expect(timer).toMatchObject({ status: 'cancelled', cancelReason: 'build finished', timeRemaining: 0 });
    expect((await queries.get({ tenantId: 'tenant_b', timerId: spec.id })).timer).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(fired.filter((f) => f.event.aggregateId === spec.id)).toHaveLength(0);
    // Claimed by a replica before the cancel came (due within the lookahead), dropped by that replica.
    const trigger = await sql<{ state: number; lease_owner: string | null }>`select state, lease_owner from scheduler.triggers where timer_id = ${spec.id}`.execute(db);
    expect(trigger.rows).toEqual([{ state: 2, lease_owner: null }]);
  });

  it('ends a timer expired when a replica published its expiry, died before recording it, and a cancel came after', async () => {
    // Due in 4 s: claimable 2 s before that, by then claimed by a replica that is gone.
    const spec = timerSpec('timer_crash_window', 4_000);
    const stream = streamNameFor(namespace, 'timers');
    const { seq: createdSeq } = await publisher.publish(createEvent('timer.created', { tenantId: 'tenant_a', aggregateId: spec.id, data: { timer: spec } }));
    const queries = replicas[0].get(TimerQueryService);
    await queries.get({ tenantId: 'tenant_a', timerId: spec.id, minSeq: createdSeq });
    const leased = await sql`
      update scheduler.triggers set lease_owner = 'replica-gone', lease_until = ${new Date(Date.parse(spec.fireAt) + 10_000)}
       where timer_id = ${spec.id} and lease_owner is null`.execute(db);
    expect(Number(leased.numAffectedRows)).toBe(1);
    // At the due time it published the expiry, and died before recording it.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(spec.fireAt) - Date.now())));
    const claimed = { timerId: spec.id, kind: 'expire', label: '', percent: null, tenantId: 'tenant_a', dueAt: new Date(spec.fireAt), eventId: expireEventId(spec.id), createdSeq, timer: spec, recovered: false, timerStatus: 'pending' } as const;
    const firedAt = new Date();
    const { seq: expiredSeq } = await publisher.publish(triggerEvent(claimed, firedAt));
    const { seq: cancelSeq } = await publisher.publish(
      createEvent('timer.cancelled', { tenantId: 'tenant_a', aggregateId: spec.id, data: { reason: 'too late', cancelledAt: new Date().toISOString(), timer: spec } }),
    );
    // Read as the gateway does after a cancel: the expiry was first in the stream, so it is the answer,
    // once a replica has re-claimed the trigger (the read ends the dead holder's 10 s lease a second
    // past the due time) and its re-publish came back deduplicated.
    expect((await queries.get({ tenantId: 'tenant_a', timerId: spec.id, minSeq: cancelSeq })).timer).toMatchObject({ status: 'expired' });
    // Recorded as the stream has it, the re-fire's own time given up for the first's.
    const timer = await sql<{ terminal_seq: number; expired_at: Date }>`select terminal_seq, expired_at from scheduler.timers where id = ${spec.id}`.execute(db);
    expect(timer.rows[0]).toEqual({ terminal_seq: expiredSeq, expired_at: firedAt });
    expect((await jsm.streams.info(stream)).state.last_seq).toBe(cancelSeq);
    expect(fired.filter((f) => f.event.aggregateId === spec.id).map((f) => f.seq)).toEqual([expiredSeq]);
  });

  it('tells every replica’s firing loop of a cancellation, not only the one that projects it', async () => {
    const loops = replicas.map((app) => app.get(TimerFiringService).loop);
    const spies = loops.map((loop) => jest.spyOn(loop, 'forget'));
    try {
      // A cancellation of a timer this projection never had: it changes no table, yet every
      // replica hears it (a replica other than the leader may hold the timer's triggers).
      const spec = timerSpec('timer_cancel_elsewhere', 60_000);
      await publisher.publish(
        createEvent('timer.cancelled', { tenantId: 'tenant_c', aggregateId: spec.id, data: { reason: null, cancelledAt: new Date().toISOString(), timer: spec } }),
      );
      await expectEventually(() => {
        for (const spy of spies) expect(spy).toHaveBeenCalledWith(spec.id);
      });
      expect(spies).toHaveLength(2);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });

  it('lists a tenant’s timers newest first with cursor pagination and filters', async () => {
    const queries = replicas[0].get(TimerQueryService);
    const page1 = await queries.list({ tenantId: 'tenant_a', limit: 25 });
    expect(page1.timers).toHaveLength(25);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await queries.list({ tenantId: 'tenant_a', limit: 25, cursor: page1.nextCursor! });
    expect(page2.timers).toHaveLength(17);
    expect(page2.nextCursor).toBeNull();
    const ids = new Set([...page1.timers, ...page2.timers].map((t) => t.id));
    expect(ids.size).toBe(42);
    const cancelled = await queries.list({ tenantId: 'tenant_a', limit: 50, status: 'cancelled' });
    expect(cancelled.timers.map((t) => t.id)).toEqual(['timer_cancel_1']);
    await expect(queries.list({ tenantId: 'tenant_a', limit: 5, cursor: 'garbage' })).rejects.toThrow(/cursor/);
  });

  it('rebuilds the projection from the stream: the same timers and triggers, nothing fired again', async () => {
    const later = timerSpec('timer_after_rebuild', 8_000, [50]);
    const far = timerSpec('timer_far', 3_600_000, [25]);
    for (const spec of [later, far]) {
      await publisher.publish(createEvent('timer.created', { tenantId: 'tenant_a', aggregateId: spec.id, data: { timer: spec } }));
    }
    const stream = streamNameFor(namespace, 'timers');
    const snapshot = async () => ({
      timers: (await sql<{ id: string }>`select id, status, terminal_seq, expired_at, cancelled_at, cancel_reason, created_seq from scheduler.timers order by id`.execute(db)).rows,
      triggers: (
        await sql<{ timer_id: string; state: number }>`select timer_id, kind, label, state, due_at, event_id, fired_at from scheduler.triggers order by timer_id, kind, label`.execute(db)
      ).rows,
    });
    // Batches of 50: a timer's creation and its firings land in different batches of the replay.
    const rebuild = () =>
      new ProjectionRebuild(nc, db, { databaseUrl: database.url, namespace, logger: { log: () => undefined }, lockWaitMs: 500, batchSize: 50 });
    await expectEventually(async () => expect((await snapshot()).timers).toHaveLength(44));

    // While a replica projects the stream, the rebuild refuses and changes nothing.
    await expect(rebuild().run()).rejects.toThrow(/stop every replica/);
    expect((await snapshot()).timers).toHaveLength(44);

    for (const app of replicas.splice(0)) await app.close();
    const before = await snapshot();
    expect(before.triggers.filter((t) => t.state === 1).length).toBeGreaterThanOrEqual(80);
    const { state } = await jsm.streams.info(stream);
    expect(await rebuild().run()).toEqual({ events: state.messages, skipped: 0, lastSeq: state.last_seq });
    expect(await snapshot()).toEqual(before);
    // The projection resumes right after what was replayed.
    expect((await jsm.consumers.info(stream, 'scheduler')).delivered.stream_seq).toBe(state.last_seq);

    // Started again, the scheduler fires what is still due, once, and nothing it fired before (a
    // fired trigger re-fired would be marked again, with a new time); and its projection goes on.
    const firedBefore = fired.length;
    await startReplica('replica-a');
    const queries = replicas[0].get(TimerQueryService);
    const next = timerSpec('timer_after_restart', 1_000);
    const { seq } = await publisher.publish(createEvent('timer.created', { tenantId: 'tenant_a', aggregateId: next.id, data: { timer: next } }));
    expect((await queries.get({ tenantId: 'tenant_a', timerId: next.id, minSeq: seq })).timer).toMatchObject({ status: 'pending' });
    await expectEventually(() => expect(fired.filter((f) => f.event.aggregateId === later.id).at(-1)?.event.type).toBe('timer.expired'), {
      timeoutMs: 12_000,
    });
    await expectEventually(() => expect(fired.filter((f) => f.event.aggregateId === next.id).map((f) => f.event.type)).toEqual(['timer.expired']));
    expect(fired.filter((f) => f.event.aggregateId === later.id).map((f) => f.event.type)).toEqual(['timer.progress', 'timer.expired']);
    const after = await snapshot();
    const fresh = [later.id, next.id];
    expect(after.triggers.filter((t) => !fresh.includes(t.timer_id))).toEqual(before.triggers.filter((t) => !fresh.includes(t.timer_id)));
    expect(after.timers.filter((t) => !fresh.includes(t.id))).toEqual(before.timers.filter((t) => !fresh.includes(t.id)));
    expect(fired.slice(firedBefore).filter((f) => !fresh.includes(f.event.aggregateId))).toEqual([]);
    // The watcher can see the firing before its replica has recorded it.
    await expectEventually(async () => expect((await queries.get({ tenantId: 'tenant_a', timerId: later.id })).timer).toMatchObject({ status: 'expired' }));
    expect((await queries.get({ tenantId: 'tenant_a', timerId: 'timer_cancel_1' })).timer).toMatchObject({ status: 'cancelled' });
  });
});
