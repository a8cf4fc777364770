import { decodeTime } from 'ulid';
import { deterministicUlid, newUlid } from './new-id.util';

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

describe('deterministicUlid', () => {
  it('gives the same id for the same time and seed, another for another seed, sorted by time', () => {
    const at = Date.parse('2026-11-23T01:00:00.000Z');
    const a = deterministicUlid(at, 'evt_1\u0000on_expire');
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(decodeTime(a)).toBe(at);
    expect(deterministicUlid(at, 'evt_1\u0000on_expire')).toBe(a);
    expect(deterministicUlid(at, 'evt_1\u0000ep_2')).not.toBe(a);
    expect(deterministicUlid(at + 1, 'evt_0') > a).toBe(true);
    const randomParts = new Set(Array.from({ length: 500 }, (_, i) => deterministicUlid(at, `seed-${i}`).slice(10)).join(''));
    expect(randomParts.size).toBe(32);
  });
});
