import { MAX_DURATION_MS, MIN_DURATION_MS } from './duration-limits.constants';
import { InvalidDurationError } from './invalid-duration.error';
import { parseDuration } from './parse-duration.util';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

describe('parseDuration', () => {
  describe('valid input', () => {
    it.each([
      [1500, 1500],
      [1, 1],
      [MAX_DURATION_MS, MAX_DURATION_MS],
      ['1500', 1500],
      ['1', 1],
      ['500ms', 500],
      ['30s', 30 * SECOND],
      ['15m', 15 * MINUTE],
      ['8h', 8 * HOUR],
      ['2w', 2 * WEEK],
      ['6h30m', 6 * HOUR + 30 * MINUTE],
      ['1d12h', DAY + 12 * HOUR],
      ['1h30m15s500ms', HOUR + 30 * MINUTE + 15 * SECOND + 500],
      ['1w1d1h1m1s1ms', WEEK + DAY + HOUR + MINUTE + SECOND + 1],
      ['1m500ms', MINUTE + 500],
      ['365d', MAX_DURATION_MS],
      ['52w1d', MAX_DURATION_MS],
      ['1.5h', 1.5 * HOUR],
      ['0.5s', 500],
      ['1h0.5m', HOUR + 30 * SECOND],
      ['0.0015s', 2],
      ['0.5ms', 1],
      ['007s', 7 * SECOND],
      ['0h1s', SECOND],
      ['  30s  ', 30 * SECOND],
      ['\t1500\n', 1500],
    ])('parses %p as %p ms', (input, expected) => {
      expect(parseDuration(input)).toBe(expected);
    });

    it('always returns an integer', () => {
      expect(Number.isInteger(parseDuration('0.3333s'))).toBe(true);
      expect(parseDuration('0.3333s')).toBe(333);
    });
  });

  describe('invalid input', () => {
    it.each([
      ['', 'empty string'],
      ['   ', 'whitespace only'],
      ['abc', 'not a duration'],
      ['-5', 'negative string'],
      ['-5s', 'negative unit group'],
      ['+5s', 'explicit sign'],
      ['15M', 'uppercase unit (could mean months)'],
      ['30S', 'uppercase seconds'],
      ['1H', 'uppercase hours'],
      ['5y', 'unknown unit y'],
      ['5mo', 'unknown unit mo'],
      ['5sec', 'unknown unit sec'],
      ['5us', 'unknown unit us'],
      ['s', 'unit without number'],
      ['ms', 'ms without number'],
      ['30m1h', 'units out of order'],
      ['1s1m', 'units out of order'],
      ['500ms1s', 'ms before s'],
      ['1h1h', 'repeated unit'],
      ['30m30m', 'repeated unit'],
      ['6h 30m', 'space inside'],
      ['6 h', 'space between number and unit'],
      ['1.5', 'decimal without unit'],
      ['.5h', 'decimal without leading digit'],
      ['1.h', 'decimal without fraction digits'],
      ['1,5h', 'comma decimal'],
      ['1e3', 'exponent'],
      ['1e3ms', 'exponent with unit'],
      ['0x10', 'hex'],
      ['Infinity', 'Infinity string'],
      ['NaN', 'NaN string'],
      ['0', 'zero string'],
      ['0ms', 'zero with unit'],
      ['0h0m', 'zero groups'],
      ['0.0001ms', 'rounds to zero'],
      ['366d', 'above max'],
      ['53w', 'above max in weeks'],
      ['365d1ms', 'one ms above max'],
      ['31536000001', 'digits above max'],
      ['9'.repeat(400), 'overflows to Infinity'],
      ['9'.repeat(400) + 'w', 'unit group overflowing to Infinity'],
      ['1h30', 'trailing bare number'],
      ['h30m', 'leading bare unit'],
    ])('rejects %p (%s)', (input) => {
      expect(() => parseDuration(input)).toThrow(InvalidDurationError);
    });

    it.each([
      [0, 'zero'],
      [-1, 'negative'],
      [1.5, 'non-integer'],
      [NaN, 'NaN'],
      [Infinity, 'Infinity'],
      [-Infinity, '-Infinity'],
      [MAX_DURATION_MS + 1, 'above max'],
      [Number.MAX_SAFE_INTEGER, 'huge'],
    ])('rejects number %p (%s)', (input) => {
      expect(() => parseDuration(input)).toThrow(InvalidDurationError);
    });

    it.each([[null], [undefined], [{}], [[]], [true], [BigInt(5)]])('rejects non-string, non-number %p', (input) => {
      expect(() => parseDuration(input as unknown as string)).toThrow(InvalidDurationError);
    });
  });

  describe('error message', () => {
    it('quotes the input and shows valid examples', () => {
      expect(() => parseDuration('abc')).toThrow(
        'Invalid duration "abc": use a number of milliseconds or units like 500ms, 30s, 15m, 8h, 2w, 6h30m, 1d12h',
      );
    });

    it('explains the range when the value is too large or zero', () => {
      expect(() => parseDuration('400d')).toThrow(/^Invalid duration "400d": must be between 1ms and 365d; use /);
      expect(() => parseDuration(0)).toThrow(/^Invalid duration "0": must be between 1ms and 365d/);
    });

    it('truncates very long input in the message', () => {
      const error = captureError(() => parseDuration('x'.repeat(10_000)));
      expect(error.message.length).toBeLessThan(250);
      expect(error.input).toBe('x'.repeat(10_000));
    });

    it('is an Error subclass with a stable name', () => {
      const error = captureError(() => parseDuration('nope'));
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('InvalidDurationError');
      expect(error.input).toBe('nope');
    });
  });

  it('exports the documented limits', () => {
    expect(MIN_DURATION_MS).toBe(1);
    expect(MAX_DURATION_MS).toBe(365 * DAY);
  });
});

function captureError(fn: () => unknown): InvalidDurationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidDurationError) return error;
    throw error;
  }
  throw new Error('expected InvalidDurationError');
}
