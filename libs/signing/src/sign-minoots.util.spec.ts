import { createHmac, timingSafeEqual } from 'node:crypto';
import { signMinoots } from './sign-minoots.util';

const SECRET = 'my-timer-secret';
const PAYLOAD = '{"event":"timer.expired","timer":{"id":"tmr_1","name":"Café ☕"}}';
// Computed independently with Python: hmac.new(SECRET.encode('utf-8'), PAYLOAD.encode('utf-8'), hashlib.sha256).hexdigest()
const PYTHON_VECTOR = 'sha256=684f680afb48e93f4eb0f0de8f26b6df76074a678d64c7259258919da492ba81';

describe('signMinoots', () => {
  it('produces exactly what the documented Node verification snippet accepts', () => {
    const signature = signMinoots(PAYLOAD, SECRET);

    const expected = createHmac('sha256', SECRET).update(PAYLOAD).digest('hex');
    expect(timingSafeEqual(Buffer.from(`sha256=${expected}`), Buffer.from(signature))).toBe(true);
  });

  it('matches a fixed vector computed like the documented Python snippet (UTF-8 key and body)', () => {
    expect(signMinoots(PAYLOAD, SECRET)).toBe(PYTHON_VECTOR);
  });

  it('signs a Buffer body identically to its UTF-8 string', () => {
    expect(signMinoots(Buffer.from(PAYLOAD, 'utf8'), SECRET)).toBe(signMinoots(PAYLOAD, SECRET));
  });

  it('keys non-ASCII secrets as UTF-8', () => {
    const secret = 'sécret-🔑';
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(PAYLOAD, 'utf8').digest('hex');
    expect(signMinoots(PAYLOAD, secret)).toBe(`sha256=${expected}`);
  });

  it('has the sha256= prefix followed by 64 lowercase hex characters', () => {
    expect(signMinoots('', SECRET)).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it('changes when the body or the secret changes', () => {
    const base = signMinoots(PAYLOAD, SECRET);
    expect(signMinoots(`${PAYLOAD} `, SECRET)).not.toBe(base);
    expect(signMinoots(PAYLOAD, `${SECRET}x`)).not.toBe(base);
  });

  it.each([[''], [undefined], [null], [42]])('refuses an empty or non-string secret %p', (secret) => {
    expect(() => signMinoots(PAYLOAD, secret as unknown as string)).toThrow(TypeError);
  });
});
