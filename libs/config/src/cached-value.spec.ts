import { CachedValue } from './cached-value.util';

describe('CachedValue', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000;
  });

  it('loads at most once per maxAgeMs, sharing a load between concurrent readers', async () => {
    let loads = 0;
    const load = jest.fn(async () => ++loads);
    const cached = new CachedValue(load, 5_000, undefined, clock);
    expect(await Promise.all([cached.get(), cached.get()])).toEqual([1, 1]);
    now += 4_999;
    expect(await cached.get()).toBe(1);
    now += 1;
    expect(await cached.get()).toBe(2);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps the last value when a load fails, reports the error and waits before retrying', async () => {
    const load = jest
      .fn<Promise<number>, []>()
      .mockResolvedValueOnce(7)
      .mockRejectedValueOnce(new Error('db down'))
      .mockResolvedValueOnce(9);
    const onError = jest.fn();
    const cached = new CachedValue(load, 5_000, onError, clock);
    expect(await cached.get()).toBe(7);
    now += 5_000;
    expect(await cached.get()).toBe(7);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ message: 'db down' }));
    now += 1_000;
    expect(await cached.get()).toBe(7);
    expect(load).toHaveBeenCalledTimes(2);
    now += 4_000;
    expect(await cached.get()).toBe(9);
  });

  it('is undefined until a load succeeds', async () => {
    const cached = new CachedValue(() => Promise.reject(new Error('no')), 5_000, () => undefined, clock);
    expect(await cached.get()).toBeUndefined();
  });
});
