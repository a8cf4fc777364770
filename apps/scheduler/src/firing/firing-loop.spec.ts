import { FiringLoop, FiringLoopDeps, FiringLoopOptions, PublishedFiring } from './firing-loop';
import { ClaimedTrigger, TriggerKeyParts } from './triggers.repository';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

function trigger(
  timerId: string,
  dueInMs: number,
  kind: ClaimedTrigger['kind'] = 'expire',
  label: string = kind,
  claim: Partial<Pick<ClaimedTrigger, 'recovered' | 'timerStatus'>> = {},
): ClaimedTrigger {
  return {
    timerId,
    kind,
    label,
    percent: kind === 'progress' ? 50 : null,
    tenantId: 'tenant_1',
    dueAt: new Date(T0 + dueInMs),
    eventId: `evt_${timerId}_${label}`,
    createdSeq: 1,
    timer: { id: timerId, name: timerId, agentId: null, durationMs: 1000, startAt: new Date(T0).toISOString(), fireAt: new Date(T0 + 1000).toISOString(), events: {}, metadata: null, createdAt: new Date(T0).toISOString() },
    recovered: false,
    timerStatus: 'pending',
    ...claim,
  };
}

/**
 * An in-memory stand-in for the triggers table. By default a trigger is handed out once (a lease
 * nobody else holds); `reclaimOwn` models the real query, which hands this owner its own
 * still-pending leases again on every claim until they are marked fired.
 */
class FakeTriggers {
  readonly pending: ClaimedTrigger[] = [];
  private readonly claimed = new Set<ClaimedTrigger>();
  readonly fired = new Set<ClaimedTrigger>();
  reclaimOwn = false;

  readonly claimDue = jest.fn(async (horizon: Date, limit: number): Promise<ClaimedTrigger[]> => {
    const due = this.pending
      .filter((t) => t.dueAt.getTime() <= horizon.getTime() && !this.fired.has(t) && (this.reclaimOwn || !this.claimed.has(t)))
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())
      .slice(0, limit);
    for (const t of due) this.claimed.add(t);
    // Copies, as rows from a query would be: identity must come from the key, not the object.
    return due.map((t) => ({ ...t, dueAt: new Date(t.dueAt) }));
  });

  add(...triggers: ClaimedTrigger[]): void {
    this.pending.push(...triggers);
  }

  markFiredByKey(fired: ClaimedTrigger[]): void {
    for (const f of fired) {
      const original = this.pending.find((t) => t.timerId === f.timerId && t.kind === f.kind && t.label === f.label);
      if (original) this.fired.add(original);
    }
  }
}

function setup(options: Partial<FiringLoopOptions> = {}) {
  const store = new FakeTriggers();
  // Stream sequences, as JetStream's acknowledgements give them.
  let seq = 0;
  const deps = {
    claimDue: store.claimDue,
    publish: jest.fn<Promise<(PublishedFiring | Error)[]>, [ClaimedTrigger[], Date]>(async (batch, firedAt) => batch.map(() => ({ seq: ++seq, firedAt }))),
    markFired: jest.fn<Promise<void>, [ClaimedTrigger[], PublishedFiring[]]>(async (fired) => store.markFiredByKey(fired)),
    cancelHeld: jest.fn<Promise<void>, [ClaimedTrigger[]]>(async () => undefined),
    releaseLeases: jest.fn<Promise<void>, [TriggerKeyParts[]]>(async () => undefined),
    logger: { warn: jest.fn<void, [string]>() },
    onFired: jest.fn<void, [ClaimedTrigger[], Date]>(),
    onPublishFailed: jest.fn<void, [ClaimedTrigger[]]>(),
  } satisfies FiringLoopDeps;
  const loop = new FiringLoop(deps, { lookaheadMs: 5_000, pollIntervalMs: 1_000, claimBatch: 100, retryDelayMs: 200, ...options });
  return { store, deps, loop };
}

/** The timer ids of each publish call, in call order. */
function publishedBatches(deps: ReturnType<typeof setup>['deps']): string[][] {
  return deps.publish.mock.calls.map(([batch]) => batch.map((t) => `${t.timerId}/${t.label}`));
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('FiringLoop', () => {
  let loops: FiringLoop[] = [];

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    loops = [];
  });

  afterEach(async () => {
    for (const loop of loops) await loop.stop();
    jest.useRealTimers();
  });

  function started(options?: Partial<FiringLoopOptions>) {
    const ctx = setup(options);
    loops.push(ctx.loop);
    return ctx;
  }

  it('fires at the due millisecond and not one millisecond before', async () => {
    const { store, deps, loop } = started();
    store.add(trigger('timer_a', 1_234));
    loop.start();

    await jest.advanceTimersByTimeAsync(1_233);
    expect(deps.publish).not.toHaveBeenCalled();
    expect(loop.heldCount).toBe(1);

    await jest.advanceTimersByTimeAsync(1);
    expect(deps.publish).toHaveBeenCalledTimes(1);
    const [[batch, firedAt]] = deps.publish.mock.calls;
    expect(batch.map((t) => t.eventId)).toEqual(['evt_timer_a_expire']);
    expect(firedAt.getTime()).toBe(T0 + 1_234);
    expect(deps.markFired).toHaveBeenCalledWith(batch, [{ seq: 1, firedAt }]);
    expect(deps.onFired).toHaveBeenCalledWith(batch, firedAt);
    expect(loop.heldCount).toBe(0);
  });

  it('fires a trigger that is already overdue as soon as it is claimed', async () => {
    const { store, deps, loop } = started();
    store.add(trigger('late', -5_000));
    loop.start();

    await jest.advanceTimersByTimeAsync(0);
    expect(publishedBatches(deps)).toEqual([['late/expire']]);
    expect(deps.publish.mock.calls[0][1].getTime()).toBe(T0);
  });

  it('publishes triggers due in the same millisecond together, and later ones in due order', async () => {
    const { store, deps, loop } = started();
    // Added out of order on purpose.
    store.add(trigger('c', 3_000), trigger('a', 1_000), trigger('b1', 2_000), trigger('b2', 2_000, 'progress', '50%'), trigger('b3', 2_000));
    loop.start();

    await jest.advanceTimersByTimeAsync(1_999);
    expect(publishedBatches(deps)).toEqual([['a/expire']]);

    await jest.advanceTimersByTimeAsync(1);
    expect(publishedBatches(deps)).toHaveLength(2);
    expect([...publishedBatches(deps)[1]].sort()).toEqual(['b1/expire', 'b2/50%', 'b3/expire']);

    await jest.advanceTimersByTimeAsync(1_000);
    expect(publishedBatches(deps)).toEqual([['a/expire'], expect.any(Array), ['c/expire']]);
    expect(deps.markFired).toHaveBeenCalledTimes(3);
  });

  it('fires a trigger handed out by several claims only once', async () => {
    const { store, deps, loop } = started();
    store.reclaimOwn = true;
    store.add(trigger('dup', 3_500));
    loop.start();

    // Three polls (t=1000, 2000, 3000) plus a wake all return the same still-pending lease.
    await jest.advanceTimersByTimeAsync(3_000);
    loop.wake();
    await jest.advanceTimersByTimeAsync(0);
    expect(store.claimDue.mock.calls.length).toBeGreaterThanOrEqual(5);
    expect(loop.heldCount).toBe(1);

    await jest.advanceTimersByTimeAsync(10_000);
    expect(publishedBatches(deps)).toEqual([['dup/expire']]);
    expect(deps.markFired).toHaveBeenCalledTimes(1);
  });

  it('does not fire again when the trigger is re-claimed while its publish is still in flight', async () => {
    const { store, deps, loop } = started();
    store.reclaimOwn = true;
    store.add(trigger('slow', 500));
    const publish = deferred<PublishedFiring[]>();
    deps.publish.mockImplementationOnce(() => publish.promise);
    loop.start();

    await jest.advanceTimersByTimeAsync(500);
    expect(deps.publish).toHaveBeenCalledTimes(1);
    // Polls keep returning it (not marked fired yet).
    await jest.advanceTimersByTimeAsync(3_000);
    expect(deps.publish).toHaveBeenCalledTimes(1);

    publish.resolve([{ seq: 1, firedAt: new Date() }]);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(deps.publish).toHaveBeenCalledTimes(1);
    expect(deps.markFired).toHaveBeenCalledTimes(1);
    expect(loop.heldCount).toBe(0);
  });

  it('does not fire again when a claim that read the row before markFired returns it afterwards', async () => {
    const { store, deps, loop } = started();
    store.add(trigger('stale', 500));
    loop.start();
    await jest.advanceTimersByTimeAsync(600);
    expect(deps.markFired).toHaveBeenCalledTimes(1);
    // A claim racing markFired: the row was still pending when the claim read it.
    store.claimDue.mockResolvedValueOnce([trigger('stale', 500)]);
    loop.wake();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(publishedBatches(deps)).toEqual([['stale/expire']]);
    expect(loop.heldCount).toBe(0);
  });

  it('does not fire a held trigger whose timer was forgotten, and still fires the others', async () => {
    const { store, deps, loop } = started();
    store.add(
      trigger('cancelled', 1_000, 'progress', '50%'),
      trigger('cancelled', 2_000, 'expire'),
      trigger('kept', 1_000),
    );
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(loop.heldCount).toBe(3);

    loop.forget('cancelled');
    expect(loop.heldCount).toBe(1);

    await jest.advanceTimersByTimeAsync(5_000);
    expect(publishedBatches(deps)).toEqual([['kept/expire']]);
  });

  it('does not hold what a claim returns for a timer forgotten while that claim was in flight', async () => {
    const { store, deps, loop } = started({ pollIntervalMs: 60_000 });
    store.add(trigger('cancelled', 1_000), trigger('kept', 1_000));
    const inFlight = deferred<ClaimedTrigger[]>();
    store.claimDue.mockImplementationOnce(() => inFlight.promise);
    loop.start();
    // The cancel is projected while the claim's rows, read while still pending, are on their way.
    loop.forget('cancelled');
    inFlight.resolve([trigger('cancelled', 1_000), trigger('kept', 1_000)]);
    await jest.advanceTimersByTimeAsync(0);
    expect(loop.heldCount).toBe(1);
    await jest.advanceTimersByTimeAsync(2_000);
    expect(publishedBatches(deps)).toEqual([['kept/expire']]);
  });

  it('refuses a forgotten timer’s triggers for forgetForMs only, and then holds them again', async () => {
    const { store, deps, loop } = started({ pollIntervalMs: 60_000, forgetForMs: 3_000 });
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    loop.forget('early');
    store.add(trigger('early', 2_000), trigger('late', 4_500));
    loop.wake();
    await jest.advanceTimersByTimeAsync(0);
    expect(loop.heldCount).toBe(1);
    // Past forgetForMs the refusal has lapsed (a timer id is never reused; this only bounds memory).
    await jest.advanceTimersByTimeAsync(3_001);
    store.claimDue.mockResolvedValueOnce([trigger('early', 5_000)]);
    loop.wake();
    await jest.advanceTimersByTimeAsync(2_500);
    expect(publishedBatches(deps)).toEqual([['late/expire'], ['early/expire']]);
  });

  it('retries a failed publish after retryDelayMs, then marks it fired once', async () => {
    const { store, deps, loop } = started({ retryDelayMs: 300 });
    store.add(trigger('flaky', 1_000));
    deps.publish.mockRejectedValueOnce(new Error('nats down'));
    loop.start();

    await jest.advanceTimersByTimeAsync(1_000);
    expect(deps.publish).toHaveBeenCalledTimes(1);
    expect(deps.markFired).not.toHaveBeenCalled();
    expect(deps.onFired).not.toHaveBeenCalled();
    expect(deps.logger.warn).toHaveBeenCalledWith(expect.stringContaining('nats down'));
    expect(loop.heldCount).toBe(1);

    await jest.advanceTimersByTimeAsync(299);
    expect(deps.publish).toHaveBeenCalledTimes(1);

    await jest.advanceTimersByTimeAsync(1);
    expect(deps.publish).toHaveBeenCalledTimes(2);
    const [batch, firedAt] = deps.publish.mock.calls[1];
    expect(batch.map((t) => t.timerId)).toEqual(['flaky']);
    expect(firedAt.getTime()).toBe(T0 + 1_300);
    expect(deps.markFired).toHaveBeenCalledTimes(1);
    expect(deps.markFired).toHaveBeenCalledWith(batch, [{ seq: 1, firedAt }]);

    await jest.advanceTimersByTimeAsync(5_000);
    expect(deps.publish).toHaveBeenCalledTimes(2);
    expect(loop.heldCount).toBe(0);
  });

  it('backs off a publish that keeps failing, doubling the wait up to maxRetryDelayMs', async () => {
    const { store, deps, loop } = started({ retryDelayMs: 100, maxRetryDelayMs: 300 });
    store.add(trigger('stuck', 100));
    loop.start();
    const publishedAt: number[] = [];
    deps.publish.mockImplementation(async () => {
      publishedAt.push(Date.now() - T0);
      throw new Error('maximum payload exceeded');
    });
    await jest.advanceTimersByTimeAsync(1_300);
    // Due at 100, then after 100, 200, 300, 300, 300 ms.
    expect(publishedAt).toEqual([100, 200, 400, 700, 1_000, 1_300]);
  });

  it('defaults the publish retry delay to 500 ms', async () => {
    const { store, deps, loop } = started({ retryDelayMs: undefined });
    store.add(trigger('flaky', 100));
    deps.publish.mockRejectedValueOnce(new Error('nope'));
    loop.start();

    await jest.advanceTimersByTimeAsync(599);
    expect(deps.publish).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(deps.publish).toHaveBeenCalledTimes(2);
  });

  it('publishes again a trigger forgotten while its publish was failing: the failed attempt may have stored it', async () => {
    const { store, deps, loop } = started();
    store.add(trigger('gone', 100));
    const publish = deferred<PublishedFiring[]>();
    deps.publish.mockImplementationOnce(() => publish.promise);
    loop.start();

    await jest.advanceTimersByTimeAsync(100);
    loop.forget('gone');
    // A lost acknowledgement, say: the event may be in the stream, before the cancel.
    publish.reject(new Error('timeout'));
    await jest.advanceTimersByTimeAsync(0);
    // Nor does a forget during the retry's wait drop it.
    loop.forget('gone');
    await jest.advanceTimersByTimeAsync(5_000);
    expect(publishedBatches(deps)).toEqual([['gone/expire'], ['gone/expire']]);
    expect(deps.markFired).toHaveBeenCalledTimes(1);
    expect(deps.cancelHeld).not.toHaveBeenCalled();
  });

  it('records the held triggers of a forgotten timer as cancelled', async () => {
    const { store, deps, loop } = started();
    store.add(trigger('held', 1_000, 'progress', '50%'), trigger('held', 2_000), trigger('other', 1_000));
    loop.start();
    await jest.advanceTimersByTimeAsync(100);

    loop.forget('held');
    expect(deps.cancelHeld).toHaveBeenCalledTimes(1);
    expect(deps.cancelHeld.mock.calls[0][0].map((t) => `${t.timerId}/${t.label}`).sort()).toEqual(['held/50%', 'held/expire']);
    expect(loop.heldCount).toBe(1);
  });

  it('lets a publish already under way go on when its timer is forgotten, and records it fired', async () => {
    const { store, deps, loop } = started();
    store.add(trigger('racing', 100));
    const publish = deferred<PublishedFiring[]>();
    deps.publish.mockImplementationOnce(() => publish.promise);
    loop.start();
    await jest.advanceTimersByTimeAsync(100);
    loop.forget('racing');
    publish.resolve([{ seq: 7, firedAt: new Date() }]);
    await jest.advanceTimersByTimeAsync(0);
    // The event is out: which of it and the cancel came first in the stream decides the timer.
    expect(deps.markFired).toHaveBeenCalledWith([expect.objectContaining({ timerId: 'racing' })], [{ seq: 7, firedAt: expect.any(Date) }]);
    expect(deps.cancelHeld).not.toHaveBeenCalled();
  });

  it('passes each trigger’s place in the stream and firing time to markFired, in order', async () => {
    const { store, deps, loop } = started();
    store.add(trigger('a', 100), trigger('b', 100, 'progress', '50%'));
    // b's event was published before, by a replica that died: deduplication answered with it.
    const published = [{ seq: 41, firedAt: new Date(T0 + 100) }, { seq: 12, firedAt: new Date(T0 - 9_000) }];
    deps.publish.mockResolvedValueOnce(published);
    loop.start();
    await jest.advanceTimersByTimeAsync(100);
    const [[batch, records]] = deps.markFired.mock.calls;
    expect(batch).toEqual(deps.publish.mock.calls[0][0]);
    expect(records).toEqual(published);
  });

  it('records a freshly claimed trigger of a cancelled timer as cancelled instead of holding it', async () => {
    const { store, deps, loop } = started();
    store.add(trigger('ended', 500, 'expire', 'expire', { timerStatus: 'cancelled' }), trigger('live', 500));
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(loop.heldCount).toBe(1);
    expect(deps.cancelHeld).toHaveBeenCalledWith([expect.objectContaining({ timerId: 'ended' })]);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(publishedBatches(deps)).toEqual([['live/expire']]);
  });

  it('publishes a recovered trigger of a cancelled timer again (its holder may have), a forget notwithstanding, and keeps its lease on stop', async () => {
    const { store, deps, loop } = started();
    store.add(
      trigger('maybe_out', -50, 'expire', 'expire', { recovered: true, timerStatus: 'cancelled' }),
      // Its holder's clock may have run ahead of this one's.
      trigger('skewed', 800, 'expire', 'expire', { recovered: true, timerStatus: 'cancelled' }),
    );
    const publish = deferred<PublishedFiring[]>();
    deps.publish.mockImplementationOnce(() => publish.promise);
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    loop.forget('skewed');
    expect(deps.cancelHeld).not.toHaveBeenCalled();
    // Deduplication answers with the original event if the previous holder published it.
    publish.resolve([{ seq: 3, firedAt: new Date() }]);
    await jest.advanceTimersByTimeAsync(800);
    expect(publishedBatches(deps)).toEqual([['maybe_out/expire'], ['skewed/expire']]);

    store.add(trigger('later', 3_000, 'expire', 'expire', { recovered: true }), trigger('fresh', 3_000));
    loop.wake();
    await jest.advanceTimersByTimeAsync(0);
    await loop.stop();
    const kept = deps.releaseLeases.mock.calls[0][0].map((k) => k.timerId);
    expect(kept).toEqual(expect.arrayContaining(['maybe_out', 'skewed', 'later']));
    expect(kept).not.toContain('fresh');
  });

  it('logs a failed cancellation record (the lease runs out and the next claim settles it)', async () => {
    const { store, deps, loop } = started();
    store.add(trigger('held', 1_000));
    deps.cancelHeld.mockRejectedValueOnce(new Error('pg down'));
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    loop.forget('held');
    await jest.advanceTimersByTimeAsync(0);
    expect(deps.logger.warn).toHaveBeenCalledWith(expect.stringContaining('pg down'));
  });

  it('stop() keeps the leases of what it fired lately, and of what it could not record for as long as deduplication lasts', async () => {
    const { store, deps, loop } = started({ unrecordedForMs: 60_000 });
    store.add(trigger('unrecorded', 100), trigger('recorded', 200), trigger('unfired', 30_000));
    deps.markFired.mockRejectedValueOnce(new Error('pg down'));
    loop.start();
    await jest.advanceTimersByTimeAsync(200);
    // Long past what the loop remembers as fired lately (lookahead + poll).
    await jest.advanceTimersByTimeAsync(20_000);
    await loop.stop();
    expect(deps.releaseLeases).toHaveBeenCalledWith([{ timerId: 'unrecorded', kind: 'expire', label: 'expire' }]);
  });

  it('records the events of a batch that were published though others of it failed, and retries only those', async () => {
    const { store, deps, loop } = started({ retryDelayMs: 300 });
    store.add(trigger('ok', 100), trigger('too_big', 100));
    deps.publish.mockImplementationOnce(async (batch, firedAt) => batch.map((t, i) => (t.timerId === 'too_big' ? new Error('maximum payload exceeded') : { seq: 50 + i, firedAt })));
    loop.start();
    await jest.advanceTimersByTimeAsync(100);
    expect(deps.markFired).toHaveBeenCalledTimes(1);
    expect(deps.markFired.mock.calls[0][0].map((t) => t.timerId)).toEqual(['ok']);
    expect(deps.onFired.mock.calls[0][0].map((t) => t.timerId)).toEqual(['ok']);
    expect(deps.logger.warn).toHaveBeenCalledWith(expect.stringContaining('publishing 1 of 2 fired triggers failed, retrying: maximum payload exceeded'));
    expect(deps.onPublishFailed).toHaveBeenCalledWith([expect.objectContaining({ timerId: 'too_big' })]);
    await jest.advanceTimersByTimeAsync(300);
    expect(publishedBatches(deps)).toEqual([expect.any(Array), ['too_big/expire']]);
    expect(deps.markFired.mock.calls[1][0].map((t) => t.timerId)).toEqual(['too_big']);
  });

  it('does not publish again when only markFired fails (the lease and event-id dedup cover that)', async () => {
    const { store, deps, loop } = started();
    store.add(trigger('x', 100));
    deps.markFired.mockRejectedValueOnce(new Error('pg down'));
    loop.start();

    await jest.advanceTimersByTimeAsync(5_000);
    expect(deps.publish).toHaveBeenCalledTimes(1);
    expect(deps.logger.warn).toHaveBeenCalledWith(expect.stringContaining('pg down'));
    expect(loop.heldCount).toBe(0);
  });

  it('claims again at once while a claim comes back full, then waits for the poll', async () => {
    const { store, deps, loop } = started({ claimBatch: 2 });
    store.add(...[1, 2, 3, 4, 5].map((i) => trigger(`t${i}`, 100 * i)));
    loop.start();

    await jest.advanceTimersByTimeAsync(0);
    // 2 + 2 + 1: the third round is short, so no fourth.
    expect(store.claimDue).toHaveBeenCalledTimes(3);
    expect(store.claimDue.mock.calls.every(([, limit]) => limit === 2)).toBe(true);
    expect(loop.heldCount).toBe(5);

    await jest.advanceTimersByTimeAsync(999);
    expect(store.claimDue).toHaveBeenCalledTimes(3);
    expect(publishedBatches(deps).flat()).toEqual(['t1/expire', 't2/expire', 't3/expire', 't4/expire', 't5/expire']);
    await jest.advanceTimersByTimeAsync(1);
    expect(store.claimDue).toHaveBeenCalledTimes(4);
  });

  it('claims with horizon = now + lookahead, so triggers further out wait for a later poll yet fire on time', async () => {
    const { store, deps, loop } = started({ lookaheadMs: 2_000, pollIntervalMs: 1_000 });
    store.add(trigger('far', 4_500));
    loop.start();

    await jest.advanceTimersByTimeAsync(0);
    expect(store.claimDue.mock.calls[0][0].getTime()).toBe(T0 + 2_000);
    expect(loop.heldCount).toBe(0);

    await jest.advanceTimersByTimeAsync(2_000);
    expect(loop.heldCount).toBe(0); // horizon at t=2000 is 4000
    await jest.advanceTimersByTimeAsync(1_000);
    expect(loop.heldCount).toBe(1); // horizon at t=3000 is 5000

    await jest.advanceTimersByTimeAsync(1_499);
    expect(deps.publish).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(deps.publish.mock.calls[0][1].getTime()).toBe(T0 + 4_500);
  });

  it('wake() claims immediately, and an earlier trigger found that way pre-empts the armed one', async () => {
    const { store, deps, loop } = started({ pollIntervalMs: 60_000 });
    store.add(trigger('later', 3_000));
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(store.claimDue).toHaveBeenCalledTimes(1);

    await jest.advanceTimersByTimeAsync(100);
    store.add(trigger('sooner', 500));
    loop.wake();
    await jest.advanceTimersByTimeAsync(0);
    expect(store.claimDue).toHaveBeenCalledTimes(2);
    expect(store.claimDue.mock.calls[1][0].getTime()).toBe(T0 + 100 + 5_000);

    await jest.advanceTimersByTimeAsync(399);
    expect(deps.publish).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(publishedBatches(deps)).toEqual([['sooner/expire']]);
    expect(deps.publish.mock.calls[0][1].getTime()).toBe(T0 + 500);

    await jest.advanceTimersByTimeAsync(2_500);
    expect(publishedBatches(deps)).toEqual([['sooner/expire'], ['later/expire']]);
    expect(deps.publish.mock.calls[1][1].getTime()).toBe(T0 + 3_000);
  });

  it('wake() during an in-flight claim claims once more after it rather than being lost', async () => {
    const { store, loop } = started({ pollIntervalMs: 60_000 });
    const first = deferred<ClaimedTrigger[]>();
    store.claimDue.mockImplementationOnce(() => first.promise);
    loop.start();
    expect(store.claimDue).toHaveBeenCalledTimes(1);

    store.add(trigger('new', 1_000));
    loop.wake();
    loop.wake();
    expect(store.claimDue).toHaveBeenCalledTimes(1); // no concurrent claim

    first.resolve([]);
    await jest.advanceTimersByTimeAsync(0);
    expect(store.claimDue).toHaveBeenCalledTimes(2);
    expect(loop.heldCount).toBe(1);
  });

  it('wake() does nothing before start', async () => {
    const { store, loop } = started();
    loop.wake();
    await jest.advanceTimersByTimeAsync(5_000);
    expect(store.claimDue).not.toHaveBeenCalled();
  });

  it('logs a failed claim and tries again at the next poll', async () => {
    const { store, deps, loop } = started({ pollIntervalMs: 1_000 });
    store.add(trigger('a', 1_500));
    store.claimDue.mockRejectedValueOnce(new Error('connection reset'));
    loop.start();

    await jest.advanceTimersByTimeAsync(0);
    expect(deps.logger.warn).toHaveBeenCalledWith(expect.stringContaining('connection reset'));
    expect(loop.heldCount).toBe(0);

    await jest.advanceTimersByTimeAsync(1_000);
    expect(store.claimDue).toHaveBeenCalledTimes(2);
    expect(loop.heldCount).toBe(1);
    await jest.advanceTimersByTimeAsync(500);
    expect(deps.publish).toHaveBeenCalledTimes(1);
  });

  it('stop() releases the leases and nothing fires or polls afterwards', async () => {
    const { store, deps, loop } = started();
    store.add(trigger('held', 2_000));
    loop.start();
    await jest.advanceTimersByTimeAsync(500);
    expect(loop.heldCount).toBe(1);
    const claimsBeforeStop = store.claimDue.mock.calls.length;

    await loop.stop();
    expect(deps.releaseLeases).toHaveBeenCalledTimes(1);

    loop.wake();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(deps.publish).not.toHaveBeenCalled();
    expect(store.claimDue).toHaveBeenCalledTimes(claimsBeforeStop);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('stop() waits for an in-flight firing to be published and recorded before releasing leases', async () => {
    const { store, deps, loop } = started();
    store.add(trigger('busy', 100));
    const publish = deferred<PublishedFiring[]>();
    deps.publish.mockImplementationOnce(() => publish.promise);
    loop.start();
    await jest.advanceTimersByTimeAsync(100);

    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(deps.releaseLeases).not.toHaveBeenCalled();
    expect(stopped).toBe(false);

    publish.resolve([{ seq: 1, firedAt: new Date() }]);
    await stopping;
    expect(deps.markFired).toHaveBeenCalledTimes(1);
    expect(deps.releaseLeases).toHaveBeenCalledTimes(1);
    expect(deps.markFired.mock.invocationCallOrder[0]).toBeLessThan(deps.releaseLeases.mock.invocationCallOrder[0]);
  });

  it('stop() does not schedule a retry for a publish that fails while stopping', async () => {
    const { store, deps, loop } = started();
    store.add(trigger('busy', 100));
    const publish = deferred<PublishedFiring[]>();
    deps.publish.mockImplementationOnce(() => publish.promise);
    loop.start();
    await jest.advanceTimersByTimeAsync(100);

    const stopping = loop.stop();
    publish.reject(new Error('closing'));
    await stopping;
    await jest.advanceTimersByTimeAsync(60_000);
    expect(deps.publish).toHaveBeenCalledTimes(1);
    expect(deps.releaseLeases).toHaveBeenCalledTimes(1);
  });

  it('stop() waits for an in-flight claim and does not arm what it returns', async () => {
    const { store, deps, loop } = started();
    const claim = deferred<ClaimedTrigger[]>();
    store.claimDue.mockImplementationOnce(() => claim.promise);
    loop.start();

    const stopping = loop.stop();
    claim.resolve([trigger('late-claim', 10)]);
    await stopping;
    await jest.advanceTimersByTimeAsync(60_000);
    expect(deps.publish).not.toHaveBeenCalled();
    expect(store.claimDue).toHaveBeenCalledTimes(1);
    expect(deps.releaseLeases).toHaveBeenCalledTimes(1);
  });

  it('stop() swallows a failing releaseLeases', async () => {
    const { deps, loop } = started();
    deps.releaseLeases.mockRejectedValueOnce(new Error('pg gone'));
    loop.start();
    await expect(loop.stop()).resolves.toBeUndefined();
  });
});
