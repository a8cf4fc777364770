import { MAX_DURATION_MS } from './duration-limits.constants';
import { formatDuration } from './format-duration.util';
import { parseDuration } from './parse-duration.util';

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [1, '1ms'],
    [500, '500ms'],
    [1000, '1s'],
    [1500, '1s500ms'],
    [60_000, '1m'],
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [23_400_000, '6h30m'],
    [129_600_000, '1d12h'],
    [90_061_000, '1d1h1m1s'],
    [604_800_000, '1w'],
    [1_209_600_000, '2w'],
    [691_200_000, '1w1d'],
    [MAX_DURATION_MS, '52w1d'],
  ])('formats %p as %p', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it.each([[-1], [1.5], [NaN], [Infinity], [-Infinity], [Number.MAX_SAFE_INTEGER + 1]])('rejects %p', (ms) => {
    expect(() => formatDuration(ms)).toThrow(RangeError);
  });

  it('round-trips through parseDuration', () => {
    const samples = [
      1, 999, 1000, 1001, 59_999, 60_001, 3_599_999, 86_399_999, 90_061_000, 604_800_001, MAX_DURATION_MS - 1,
      MAX_DURATION_MS,
    ];
    // A deterministic prime stride covers every unit mix without making the test flaky.
    for (let ms = 1; ms <= MAX_DURATION_MS; ms += 15_485_863) samples.push(ms);
    for (const ms of samples) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});
