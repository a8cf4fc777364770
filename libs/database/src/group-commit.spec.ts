import { GroupCommit } from './group-commit.util';

describe('GroupCommit', () => {
  it('writes what arrives within the window as one group, in order, and the rest after', async () => {
    const writes: number[][] = [];
    const commit = new GroupCommit<number>(async (items) => void writes.push(items), { windowMs: 20, maxItems: 4 });
    const done = [commit.add([1]), commit.add([2, 3]), commit.add([4, 5]), commit.add([6])];
    await Promise.all(done);
    expect(writes).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it('retries a failed group while told to, then rejects its callers', async () => {
    let failures = 2;
    const writes: number[][] = [];
    const retrying = new GroupCommit<number>(
      async (items) => {
        if (failures-- > 0) throw new Error('database unavailable');
        writes.push(items);
      },
      { windowMs: 0, maxItems: 10, retryDelayMs: () => 5 },
    );
    await retrying.add([1, 2]);
    expect(writes).toEqual([[1, 2]]);

    const giving = new GroupCommit<number>(
      async () => {
        throw new Error('constraint violated');
      },
      { windowMs: 0, maxItems: 10, retryDelayMs: (attempt) => (attempt < 3 ? 1 : undefined) },
    );
    await expect(giving.add([7])).rejects.toThrow('constraint violated');
  });

  it('flush() writes at once what waits for the window', async () => {
    const writes: number[][] = [];
    const commit = new GroupCommit<number>(async (items) => void writes.push(items), { windowMs: 60_000, maxItems: 10 });
    const added = commit.add([1]);
    await commit.flush();
    await added;
    expect(writes).toEqual([[1]]);
  });

  it('writes a group item by item when its data is at fault, rejecting only the faulty item', async () => {
    const writes: number[][] = [];
    const commit = new GroupCommit<number>(
      async (items) => {
        if (items.includes(13)) throw Object.assign(new Error('invalid byte sequence'), { code: '22021' });
        writes.push(items);
      },
      { windowMs: 10, maxItems: 10, isPermanent: (e) => (e as { code?: string }).code === '22021', retryDelayMs: () => 1 },
    );
    const results = await Promise.allSettled([commit.add([1]), commit.add([13]), commit.add([2])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(writes).toEqual([[1], [2]]);
  });
});
