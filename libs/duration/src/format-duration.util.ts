import { DURATION_UNITS } from './duration-units.constants';

/** Formats milliseconds in the compact form `parseDuration` accepts, e.g. `90061000` → `1d1h1m1s`. */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`formatDuration expects a non-negative integer of milliseconds, got ${String(ms)}`);
  }
  if (ms === 0) return '0ms';

  let remaining = ms;
  let result = '';
  for (const { unit, ms: unitMs } of DURATION_UNITS) {
    const count = Math.floor(remaining / unitMs);
    if (count > 0) {
      result += `${count}${unit}`;
      remaining -= count * unitMs;
    }
  }
  return result;
}
