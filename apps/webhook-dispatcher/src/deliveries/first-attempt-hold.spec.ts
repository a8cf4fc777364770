import { FirstAttemptHold } from './first-attempt-hold';

interface Row {
  id: string;
}

/** A hold whose writes are recorded, and settle when the test says so. */
function holdWithWrites(holdMs = 1_000) {
  const writes: { rows: string[]; records: string[]; settle(error?: Error): void }[] = [];
  const hold = new FirstAttemptHold<Row, string>(
    (rows, records) =>
      new Promise<void>((resolve, reject) => {
        writes.push({ rows: rows.map((r) => r.id), records, settle: (error) => (error ? reject(error) : resolve()) });
      }),
    holdMs,
  );
  return { hold, writes };
}

/** Whether the promise has settled, after pending callbacks have run. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  // Well past the few turns a settled promise chain needs (hold() chains four).
  for (let turn = 0; turn < 20; turn++) await Promise.resolve();
  return settled;
}

describe('FirstAttemptHold', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('writes each row with its first attempt, and resolves once every row of the batch is written', async () => {
    const { hold, writes } = holdWithWrites();
    const batch = hold.hold([{ id: 'd1' }, { id: 'd2' }]);
    expect(writes).toEqual([]);

    const first = hold.attempted('d2', 'attempt of d2');
    expect(writes.map(({ rows, records }) => ({ rows, records }))).toEqual([{ rows: ['d2'], records: ['attempt of d2'] }]);
    writes[0].settle();
    await expect(first).resolves.toBeUndefined();
    expect(await isSettled(batch)).toBe(false);

    hold.attempted('d1', 'attempt of d1');
    expect(await isSettled(batch)).toBe(false);
    writes[1].settle();
    await expect(batch).resolves.toBeUndefined();
    expect(writes.map((w) => w.rows)).toEqual([['d2'], ['d1']]);
  });

  it('writes what is still waiting after the hold, as it is, and leaves later attempts to the caller', async () => {
    const { hold, writes } = holdWithWrites(1_000);
    const batch = hold.hold([{ id: 'd1' }, { id: 'd2' }, { id: 'd3' }]);
    hold.attempted('d1', 'attempt of d1');
    jest.advanceTimersByTime(999);
    expect(writes).toHaveLength(1);
    jest.advanceTimersByTime(1);
    expect(writes.map(({ rows, records }) => ({ rows, records }))).toEqual([
      { rows: ['d1'], records: ['attempt of d1'] },
      { rows: ['d2', 'd3'], records: [] },
    ]);
    // Their attempts end later: recorded as updates, by the caller.
    expect(hold.attempted('d2', 'attempt of d2')).toBeUndefined();
    for (const w of writes) w.settle();
    await expect(batch).resolves.toBeUndefined();
    // Nothing is left to time out.
    jest.advanceTimersByTime(10_000);
    expect(writes).toHaveLength(2);
  });

  it('writes one row at once when asked, and knows nothing of rows it does not hold', async () => {
    const { hold, writes } = holdWithWrites();
    const batch = hold.hold([{ id: 'd1' }, { id: 'd2' }]);
    const released = hold.release('d1');
    expect(writes.map(({ rows, records }) => ({ rows, records }))).toEqual([{ rows: ['d1'], records: [] }]);
    expect(hold.release('d1')).toBeUndefined();
    expect(hold.attempted('d1', 'attempt of d1')).toBeUndefined();
    expect(hold.release('elsewhere')).toBeUndefined();
    writes[0].settle();
    await expect(released).resolves.toBeUndefined();
    expect(await isSettled(batch)).toBe(false);
    hold.releaseAll();
    expect(writes.map((w) => w.rows)).toEqual([['d1'], ['d2']]);
    writes[1].settle();
    await expect(batch).resolves.toBeUndefined();
  });

  it('writes every batch still held when releasing all, each once', async () => {
    const { hold, writes } = holdWithWrites();
    const batches = [hold.hold([{ id: 'a1' }, { id: 'a2' }]), hold.hold([{ id: 'b1' }])];
    hold.releaseAll();
    hold.releaseAll();
    jest.advanceTimersByTime(5_000);
    expect(writes.map((w) => w.rows)).toEqual([['a1', 'a2'], ['b1']]);
    for (const w of writes) w.settle();
    await expect(Promise.all(batches)).resolves.toEqual([undefined, undefined]);
  });

  it('fails the batch, and the attempt, when a write fails', async () => {
    const { hold, writes } = holdWithWrites();
    const batch = hold.hold([{ id: 'd1' }, { id: 'd2' }]);
    const attempt = hold.attempted('d1', 'attempt of d1')!;
    hold.attempted('d2', 'attempt of d2');
    writes[0].settle(new Error('database gone'));
    writes[1].settle();
    await expect(attempt).rejects.toThrow('database gone');
    await expect(batch).rejects.toThrow('database gone');
  });

  it('has nothing to hold for a batch without deliveries', async () => {
    const { hold, writes } = holdWithWrites();
    await expect(hold.hold([])).resolves.toBeUndefined();
    expect(writes).toEqual([]);
  });
});
