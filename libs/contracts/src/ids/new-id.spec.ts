import { decodeTime } from 'ulid';
import { newUlid } from './new-id.util';

describe('newUlid', () => {
  it('makes 26-character Crockford ULIDs carrying the time, all distinct', () => {
    const now = Date.parse('2026-11-22T12:00:00.000Z');
    const ids = Array.from({ length: 10_000 }, () => newUlid(now));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids.slice(0, 50)) {
      expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(decodeTime(id)).toBe(now);
    }
  });

  it('uses every random symbol (the pool is not stuck)', () => {
    const symbols = new Set(Array.from({ length: 2_000 }, () => newUlid().slice(10)).join(''));
    expect(symbols.size).toBe(32);
  });
});
