import { NatsConnection } from '@nats-io/nats-core';
import { jetstreamManager } from '@nats-io/jetstream';
import { createEvent, streamNameFor } from '@minoots/contracts';
import { expectEventually, randomNamespace } from '@minoots/testing';
import { connectNats } from './nats-connection.util';
import { EventPublisher } from './event-publisher.service';
import { ConsumedEvent, DurableEventConsumer } from './durable-event-consumer.service';

const logger = { error: jest.fn(), warn: jest.fn() };

function expiredEvent(id?: string) {
  return createEvent('timer.expired', {
    id,
    tenantId: 'tenant_1',
    aggregateId: 'timer_1',
    data: { dueAt: '2026-01-01T00:00:00.000Z', firedAt: '2026-01-01T00:00:00.001Z' },
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
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(streamNameFor(namespace, 'timers'));
    await nc.close();
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

    // A new instance of the same durable consumer continues after the last acknowledged event.
    const later: ConsumedEvent[] = [];
    const restarted = new DurableEventConsumer(nc, {
      namespace,
      stream: 'timers',
      durable: 'spec',
      handle: async (batch) => void later.push(...batch),
      logger,
    });
    await restarted.start();
    const next = expiredEvent();
    const { seq } = await publisher.publish(next);
    await expectEventually(() => expect(later.map((s) => s.event.id)).toContain(next.id));
    expect(later.every((s) => !ids.includes(s.event.id))).toBe(true);
    await expectEventually(async () => expect(await restarted.ackFloor()).toBeGreaterThanOrEqual(seq));
    await restarted.stop();
  });
});
