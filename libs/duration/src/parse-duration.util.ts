import { MAX_DURATION_MS, MIN_DURATION_MS } from './duration-limits.constants';
import { DURATION_UNITS } from './duration-units.constants';
import { InvalidDurationError } from './invalid-duration.error';

const NUMBER = String.raw`(\d+(?:\.\d+)?)`;

// One optional group per unit in descending order, so order and uniqueness are enforced by the
// regex itself; backtracking lets `500ms` fall through the `m` group to the `ms` group.
const UNIT_GROUPS_PATTERN = new RegExp(`^${DURATION_UNITS.map(({ unit }) => `(?:${NUMBER}${unit})?`).join('')}$`);
const DIGITS_ONLY_PATTERN = /^\d+$/;

const RANGE_DETAIL = 'must be between 1ms and 365d';

/**
 * Parses `1500`, `"1500"`, `"30s"`, `"6h30m"`, `"1.5h"` … into integer milliseconds.
 * Units are case-sensitive on purpose: `15M` could be read as months.
 */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isInteger(input)) throw new InvalidDurationError(input, 'milliseconds must be a whole number');
    return assertInRange(input, input);
  }
  if (typeof input !== 'string') throw new InvalidDurationError(input);

  const text = input.trim();
  if (DIGITS_ONLY_PATTERN.test(text)) return assertInRange(Number(text), input);

  const match = UNIT_GROUPS_PATTERN.exec(text);
  if (!match || text === '') throw new InvalidDurationError(input);

  let total = 0;
  DURATION_UNITS.forEach(({ ms }, index) => {
    const value = match[index + 1];
    if (value !== undefined) total += Number(value) * ms;
  });
  return assertInRange(Math.round(total), input);
}

function assertInRange(ms: number, input: unknown): number {
  if (!Number.isFinite(ms) || ms < MIN_DURATION_MS || ms > MAX_DURATION_MS) {
    throw new InvalidDurationError(input, RANGE_DETAIL);
  }
  return ms;
}
