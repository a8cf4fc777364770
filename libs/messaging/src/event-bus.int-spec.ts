import { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { createEvent, encodeEvent, streamNameFor, streamSubjectsFor, timerLifecycleSubjectsFor } from '@minoots/contracts';
import { deleteNamespaceStreams, expectEventually, FreezableRelay, randomNamespace } from '@minoots/testing';
import { connectNats } from './nats-connection.util';
import { EventPublisher } from './event-publisher.service';
import { JetStreamAcks } from './jetstream-acks.util';
import { ConsumedEvent, ConsumerTerm, DurableEventConsumer } from './durable-event-consumer.service';

const logger = { error: jest.fn(), warn: jest.fn() };

function expiredEvent(id?: string) {
  return createEvent('timer.expired', {
    id,
    tenantId: 'tenant_1',
    aggregateId: 'timer_1',
    data: {
      dueAt: '2026-01-01T00:00:00.000Z',
      firedAt: '2026-01-01T00:00:00.001Z',
      timer: {
        id: 'timer_1',
        name: 'bus',
        agentId: null,
        durationMs: 1000,
        startAt: '2025-12-31T23:59:59.000Z',
        fireAt: '2026-01-01T00:00:00.000Z',
        events: {},
        metadata: null,
        createdAt: '2025-12-31T23:59:59.000Z',
      },
    },
  });
}

describe('JetStream event bus (real NATS)', () => {
  const namespace = randomNamespace('bus');
  let nc: NatsConnection;
  let publisher: EventPublisher;

  beforeAll(async () => {
    nc = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'bus-int-spec');
    publisher = await EventPublisher.create(nc, namespace);
  });

  afterAll(async () => {
    await deleteNamespaceStreams(nc, namespace);
    await nc.close();
  });

  it('keeps the timer stream whole and the outcome streams seven days, also one made before the limit existed', async () => {
    const ns = randomNamespace('retention');
    const jsm = await jetstreamManager(nc);
    // The outcome stream as an earlier version made it: no age limit.
    await jsm.streams.add({ name: streamNameFor(ns, 'deliveries'), subjects: [streamSubjectsFor(ns, 'deliveries')], duplicate_window: 10 * 60 * 1e9 });
    try {
      expect((await jsm.streams.info(streamNameFor(ns, 'deliveries'))).config.max_age).toBe(0);
      (await EventPublisher.create(nc, ns)).close();
      const week = 7 * 24 * 60 * 60 * 1e9;
      expect((await jsm.streams.info(streamNameFor(ns, 'timers'))).config.max_age).toBe(0);
      expect((await jsm.streams.info(streamNameFor(ns, 'deliveries'))).config.max_age).toBe(week);
      expect((await jsm.streams.info(streamNameFor(ns, 'endpoints'))).config.max_age).toBe(week);
    } finally {
      await deleteNamespaceStreams(nc, ns);
    }
  });

  it('deduplicates a re-published event by its id', async () => {
    const event = expiredEvent();
    const first = await publisher.publish(event);
    const second = await publisher.publish(event);
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ seq: first.seq, duplicate: true });
  });

  it('delivers events in order to a durable consumer, retries a failed batch in place, and resumes after restart', async () => {
    const seen: ConsumedEvent[] = [];
    let failOnce = true;
    const handle = async (batch: ConsumedEvent[]) => {
      if (failOnce) {
        failOnce = false;
        throw new Error('database unavailable');
      }
      seen.push(...batch);
    };
    const consumer = new DurableEventConsumer(nc, { namespace, stream: 'timers', durable: 'spec', handle, logger, retryDelayMs: 50 });
    await consumer.start();
    const ids = ['evt_a', 'evt_b', 'evt_c'].map((p) => `${p}_${namespace}`);
    for (const id of ids) await publisher.publish(expiredEvent(id));
    await expectEventually(() => expect(seen.map((s) => s.event.id)).toEqual(expect.arrayContaining(ids)));
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('database unavailable'));
    // The batch that failed (the event of the first test) is retried and lands first, in order.
    await expectEventually(() => expect(seen.map((s) => s.seq)).toEqual([1, 2, 3, 4]));
    await consumer.stop();
    // The last acknowledgement goes out as stop() returns; the server may record it a moment later.
    await expectEventually(async () => expect(await consumer.ackFloor()).toBe(4));

    // A new instance of the same durable consumer continues after the last acknowledged event.
    const later: ConsumedEvent[] = [];
    const terms: ConsumerTerm[] = [];
    const restarted = new DurableEventConsumer(nc, {
      namespace,
      stream: 'timers',
      durable: 'spec',
      handle: async (batch, term) => {
        later.push(...batch);
        terms.push(term);
      },
      logger,
    });
    await restarted.start();
    const next = expiredEvent();
    const { seq } = await publisher.publish(next);
    await expectEventually(() => expect(later.map((s) => s.event.id)).toContain(next.id));
    // Its term begins right after what the first instance acknowledged: every event from there on
    // reaches this instance.
    expect(terms[0]).toEqual({ firstSeq: 5 });
    expect(later[0].seq).toBe(5);
    expect(later.every((s) => !ids.includes(s.event.id))).toBe(true);
    await expectEventually(async () => expect(await restarted.ackFloor()).toBeGreaterThanOrEqual(seq));
    await restarted.stop();
  });

  it('takes a durable made for the whole stream over with a filter: from there on, only the subjects it names', async () => {
    const seen: ConsumedEvent[] = [];
    const options = { namespace, stream: 'timers' as const, durable: 'filtered', logger, handle: async (batch: ConsumedEvent[]) => void seen.push(...batch) };
    const whole = new DurableEventConsumer(nc, options);
    await whole.start();
    const { seq: before } = await publisher.publish(expiredEvent());
    await expectEventually(() => expect(seen.at(-1)?.seq).toBe(before));
    await whole.stop();
    await expectEventually(async () => expect(await whole.ackFloor()).toBe(before));

    const filtered = new DurableEventConsumer(nc, { ...options, filterSubject: timerLifecycleSubjectsFor(namespace) });
    await filtered.start();
    const jsm = await jetstreamManager(nc);
    expect((await jsm.consumers.info(streamNameFor(namespace, 'timers'), 'filtered')).config.filter_subject).toBe(`${namespace}.timers.*`);
    const expired = expiredEvent();
    const cancelled = createEvent('timer.cancelled', {
      tenantId: 'tenant_1',
      aggregateId: 'timer_1',
      data: { reason: null, cancelledAt: '2026-01-01T00:00:00.000Z', timer: expired.data.timer },
    });
    await publisher.publish(expired);
    const { seq } = await publisher.publish(cancelled);
    await expectEventually(() => expect(seen.at(-1)?.seq).toBe(seq));
    expect(seen.filter((s) => s.seq > before).map((s) => s.event.type)).toEqual(['timer.cancelled']);
    await filtered.stop();
  });

  it('rejects a publish no stream takes, and one whose expected stream differs', async () => {
    const acks = new JetStreamAcks(nc, 2_000);
    try {
      await expect(acks.publish(`${namespace}.nowhere`, new Uint8Array([1]), 'evt_x')).rejects.toMatchObject({ code: 503 });
      await expect(acks.publish(`${namespace}.timers.expired`, encodeEvent(expiredEvent()), 'evt_y', 'SOME_OTHER_STREAM')).rejects.toThrow(/expected stream/i);
      await expect(acks.publish(`${namespace}.timers.expired`, encodeEvent(expiredEvent()), 'evt_z')).resolves.toMatchObject({ seq: expect.any(Number), duplicate: false });
    } finally {
      acks.close();
    }
  });

  it('acknowledges batches whose effects become durable later only in stream order', async () => {
    const durables: { seqs: number[]; resolve(): void }[] = [];
    const consumer = new DurableEventConsumer(nc, {
      namespace,
      stream: 'timers',
      durable: 'deferred',
      logger,
      handle: async (batch) => {
        let resolve!: () => void;
        const durable = new Promise<void>((r) => (resolve = r));
        durables.push({ seqs: batch.map((b) => b.seq), resolve });
        return { durable };
      },
    });
    // The stream already holds the other tests' events: let those through first.
    const existing = (await publisher.jsm.streams.info(streamNameFor(namespace, 'timers'))).state.last_seq;
    await consumer.start();
    await expectEventually(() => expect(durables.flatMap((d) => d.seqs)).toContain(existing));
    for (const d of durables.splice(0)) d.resolve();
    await expectEventually(async () => expect(await consumer.ackFloor()).toBe(existing));

    const { seq: first } = await publisher.publish(expiredEvent());
    await expectEventually(() => expect(durables.flatMap((d) => d.seqs)).toContain(first));
    const { seq: last } = await publisher.publish(expiredEvent());
    // The second batch is handled while the first is not yet durable...
    await expectEventually(() => expect(durables.map((d) => d.seqs)).toEqual([[first], [last]]));
    // ...and becoming durable first does not get it acknowledged ahead of the first.
    durables[1].resolve();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await consumer.ackFloor()).toBe(existing);
    durables[0].resolve();
    await expectEventually(async () => expect(await consumer.ackFloor()).toBe(last));
    await consumer.stop();
  });

  it('hands what a crashed consumer took but never acknowledged to the next one first, in order', async () => {
    const crashing = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'bus-int-spec-crash');
    const existing = (await publisher.jsm.streams.info(streamNameFor(namespace, 'timers'))).state.last_seq;
    const taken: number[] = [];
    const first = new DurableEventConsumer(crashing, {
      namespace,
      stream: 'timers',
      durable: 'takeover',
      logger,
      // Never durable: as if the process died before its writes landed.
      handle: async (batch) => {
        taken.push(...batch.map((b) => b.seq));
        return { durable: new Promise<void>(() => undefined) };
      },
    });
    await first.start();
    const { seq: pending } = await publisher.publish(expiredEvent());
    await expectEventually(() => expect(taken).toContain(pending));
    await crashing.close(); // the "crash": nothing was acknowledged

    const seen: ConsumedEvent[] = [];
    const terms = new Set<ConsumerTerm>();
    const next = new DurableEventConsumer(nc, {
      namespace,
      stream: 'timers',
      durable: 'takeover',
      logger,
      handle: async (batch, term) => {
        seen.push(...batch);
        terms.add(term);
      },
    });
    await next.start();
    const { seq: newer } = await publisher.publish(expiredEvent());
    await expectEventually(() => expect(seen.map((s) => s.seq)).toContain(newer));
    const seqs = seen.map((s) => s.seq);
    // Everything comes again, in stream order, before the newer event (not after ack_wait, 30 s).
    expect(seqs).toEqual(Array.from({ length: newer }, (_, i) => i + 1));
    expect(seen.filter((s) => s.seq <= pending).every((s) => s.redelivered)).toBe(true);
    expect(seen.find((s) => s.seq === newer)?.redelivered).toBe(false);
    expect(existing).toBeLessThan(pending);
    // Its term starts at the acknowledgement floor the crashed consumer left (nothing acknowledged).
    expect([...terms].map((t) => t.firstSeq)).toEqual([1]);
    await expectEventually(async () => expect(await next.ackFloor()).toBe(newer));
    await next.stop();
  });

  it('stops while NATS has gone silent, not waiting for an answer that does not come', async () => {
    const natsUrl = new URL(process.env.NATS_URL ?? 'nats://127.0.0.1:4222');
    const relay = new FreezableRelay({ host: natsUrl.hostname, port: Number(natsUrl.port || 4222) });
    await relay.start();
    const viaRelay = await connectNats(`nats://127.0.0.1:${relay.port}`, 'bus-int-spec-silent');
    try {
      const seen: number[] = [];
      const consumer = new DurableEventConsumer(viaRelay, { namespace, stream: 'timers', durable: 'silent', logger, handle: async (batch) => void seen.push(...batch.map((b) => b.seq)) });
      await consumer.start();
      const { seq } = await publisher.publish(expiredEvent());
      await expectEventually(() => expect(seen).toContain(seq));
      // A half-open connection: the last acknowledgement's flush gets no answer (NATS's own ping
      // would notice only after minutes); stop() returns within its bound all the same.
      relay.freeze();
      const started = Date.now();
      await consumer.stop();
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    } finally {
      await relay.stop();
      await viaRelay.close().catch(() => undefined);
    }
  });
});
