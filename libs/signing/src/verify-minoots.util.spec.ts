import { signMinoots } from './sign-minoots.util';
import { verifyMinoots } from './verify-minoots.util';

const SECRET = 'my-timer-secret';
const BODY = '{"event":"timer.expired"}';

describe('verifyMinoots', () => {
  const signature = signMinoots(BODY, SECRET);

  it('accepts the signature of the exact body', () => {
    expect(verifyMinoots(BODY, signature, SECRET)).toBe(true);
    expect(verifyMinoots(Buffer.from(BODY), signature, SECRET)).toBe(true);
  });

  it('rejects a tampered body', () => {
    expect(verifyMinoots(BODY.replace('expired', 'started'), signature, SECRET)).toBe(false);
    expect(verifyMinoots(`${BODY}\n`, signature, SECRET)).toBe(false);
  });

  it('rejects the wrong secret', () => {
    expect(verifyMinoots(BODY, signature, 'other-secret')).toBe(false);
  });

  it('rejects a signature with one flipped hex digit', () => {
    const last = signature.at(-1) === '0' ? '1' : '0';
    expect(verifyMinoots(BODY, `${signature.slice(0, -1)}${last}`, SECRET)).toBe(false);
  });

  it.each([
    ['missing prefix', signature.slice('sha256='.length)],
    ['uppercase hex', `sha256=${signature.slice('sha256='.length).toUpperCase()}`],
    ['other algorithm prefix', signature.replace('sha256=', 'sha512=')],
    ['truncated', signature.slice(0, -1)],
    ['extended', `${signature}0`],
    ['surrounding whitespace', ` ${signature} `],
    ['empty', ''],
    ['multi-byte characters of the same string length', `sha256=${'é'.repeat(64)}`],
  ])('returns false without throwing for a malformed header (%s)', (_label, header) => {
    expect(() => verifyMinoots(BODY, header, SECRET)).not.toThrow();
    expect(verifyMinoots(BODY, header, SECRET)).toBe(false);
  });

  it.each([[undefined], [null], [42], [['a', 'b']]])('returns false for a non-string header %p', (header) => {
    expect(verifyMinoots(BODY, header as unknown as string, SECRET)).toBe(false);
  });

  it('returns false for an empty secret instead of verifying against an empty key', () => {
    expect(verifyMinoots(BODY, signature, '')).toBe(false);
  });
});

describe('verifyMinoots timing safety', () => {
  it('compares with crypto.timingSafeEqual', () => {
    // The real module object, not an import namespace copy, so the spy sees the util's calls.
    const spy = jest.spyOn(jest.requireActual<typeof import('node:crypto')>('node:crypto'), 'timingSafeEqual');
    try {
      expect(verifyMinoots(BODY, signMinoots(BODY, SECRET), SECRET)).toBe(true);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});
