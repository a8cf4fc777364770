import { ProjectionWatermark } from './projection-watermark';

/** Tracks whether and how a promise has settled, so fake-timer steps can assert "not yet". */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T } = { settled: false };
  void promise.then((value) => {
    state.settled = true;
    state.value = value;
  });
  return state;
}

describe('ProjectionWatermark', () => {
  let floor: jest.Mock<Promise<number>, []>;

  beforeEach(() => {
    jest.useFakeTimers({ now: Date.parse('2026-01-01T00:00:00.000Z') });
    floor = jest.fn(async () => 0);
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('starts at 0 and only ever moves forward', () => {
    const watermark = new ProjectionWatermark(floor);
    expect(watermark.value).toBe(0);
    watermark.advance(10);
    watermark.advance(4);
    watermark.advance(10);
    expect(watermark.value).toBe(10);
  });

  it.each([
    ['undefined', undefined],
    ['0 (no write yet)', 0],
  ])('resolves true at once for %s without asking the shared floor', async (_label, seq) => {
    const watermark = new ProjectionWatermark(floor);
    await expect(watermark.waitFor(seq, 0)).resolves.toBe(true);
    expect(floor).not.toHaveBeenCalled();
  });

  it('resolves true at once for a sequence at or below the applied one', async () => {
    const watermark = new ProjectionWatermark(floor);
    watermark.advance(7);
    await expect(watermark.waitFor(7, 0)).resolves.toBe(true);
    await expect(watermark.waitFor(3, 0)).resolves.toBe(true);
    expect(floor).not.toHaveBeenCalled();
  });

  it('resolves as soon as advance reaches the sequence, without waiting for the check interval', async () => {
    const watermark = new ProjectionWatermark(floor, 25);
    const waiting = track(watermark.waitFor(5, 1_000));

    await jest.advanceTimersByTimeAsync(5);
    watermark.advance(4);
    await jest.advanceTimersByTimeAsync(0);
    expect(waiting.settled).toBe(false);

    watermark.advance(5);
    await jest.advanceTimersByTimeAsync(0);
    expect(waiting).toEqual({ settled: true, value: true });
    expect(floor).not.toHaveBeenCalled();
  });

  it('releases only the waiters whose sequence was reached, and an advance past a sequence counts', async () => {
    const watermark = new ProjectionWatermark(floor, 1_000);
    const five = track(watermark.waitFor(5, 10_000));
    const nine = track(watermark.waitFor(9, 10_000));

    watermark.advance(6);
    await jest.advanceTimersByTimeAsync(0);
    expect(five).toEqual({ settled: true, value: true });
    expect(nine.settled).toBe(false);

    watermark.advance(12);
    await jest.advanceTimersByTimeAsync(0);
    expect(nine).toEqual({ settled: true, value: true });
  });

  it('asks the shared floor once per check interval while the local view lags, and resolves when it is there', async () => {
    const watermark = new ProjectionWatermark(floor, 25);
    floor.mockResolvedValueOnce(3).mockResolvedValueOnce(8);
    const waiting = track(watermark.waitFor(8, 1_000));

    await jest.advanceTimersByTimeAsync(24);
    expect(floor).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(floor).toHaveBeenCalledTimes(1);
    expect(waiting.settled).toBe(false);

    await jest.advanceTimersByTimeAsync(25);
    expect(floor).toHaveBeenCalledTimes(2);
    expect(waiting).toEqual({ settled: true, value: true });
    expect(watermark.value).toBe(0); // the shared floor does not move the local watermark
  });

  it('returns false once the timeout passes, not before', async () => {
    const watermark = new ProjectionWatermark(floor, 25);
    const waiting = track(watermark.waitFor(5, 100));

    await jest.advanceTimersByTimeAsync(99);
    expect(waiting.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(waiting).toEqual({ settled: true, value: false });
    expect(floor).toHaveBeenCalledTimes(4);
  });

  it('shortens the last wait to the deadline when the timeout is not a multiple of the interval', async () => {
    const watermark = new ProjectionWatermark(floor, 25);
    const waiting = track(watermark.waitFor(5, 60));

    await jest.advanceTimersByTimeAsync(59);
    expect(waiting.settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(waiting).toEqual({ settled: true, value: false });
    expect(floor).toHaveBeenCalledTimes(3); // at 25, 50 and 60
  });

  it('returns false at once for a timeout of 0 when the sequence is not applied', async () => {
    const watermark = new ProjectionWatermark(floor);
    await expect(watermark.waitFor(1, 0)).resolves.toBe(false);
  });

  it('treats a failing shared floor as no information and keeps waiting locally', async () => {
    floor.mockRejectedValue(new Error('nats unavailable'));
    const watermark = new ProjectionWatermark(floor, 25);
    const waiting = track(watermark.waitFor(5, 1_000));

    await jest.advanceTimersByTimeAsync(60);
    expect(floor).toHaveBeenCalledTimes(2);
    expect(waiting.settled).toBe(false);

    watermark.advance(5);
    await jest.advanceTimersByTimeAsync(0);
    expect(waiting).toEqual({ settled: true, value: true });
  });

  it('notices a local advance that lands while the shared floor is being asked', async () => {
    const watermark = new ProjectionWatermark(floor, 25);
    // The shared floor lags (e.g. acks not flushed yet) while this replica applies the write.
    floor.mockImplementation(async () => {
      watermark.advance(5);
      return 0;
    });
    const waiting = track(watermark.waitFor(5, 5_000));

    await jest.advanceTimersByTimeAsync(25);
    expect(floor).toHaveBeenCalledTimes(1);
    expect(waiting).toEqual({ settled: true, value: true });
  });

  it('does not let a timed-out waiter be released later or disturb the next one', async () => {
    const watermark = new ProjectionWatermark(floor, 25);
    const first = track(watermark.waitFor(5, 50));
    await jest.advanceTimersByTimeAsync(50);
    expect(first).toEqual({ settled: true, value: false });

    const second = track(watermark.waitFor(5, 1_000));
    watermark.advance(5);
    await jest.advanceTimersByTimeAsync(0);
    expect(first.value).toBe(false);
    expect(second).toEqual({ settled: true, value: true });
  });
});
