import { createHmac } from 'node:crypto';
import { generateSecret } from './generate-secret.util';
import { signStandardWebhook } from './sign-standard-webhook.util';
import { standardWebhookSignatureHeader } from './standard-webhook-signature-header.util';
import { verifyStandardWebhook } from './verify-standard-webhook.util';

// Published example from the Standard Webhooks spec (https://www.standardwebhooks.com).
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const SPEC_NOW = new Date(SPEC.timestamp * 1000);
const parts = { id: SPEC.id, timestamp: SPEC.timestamp, body: SPEC.body };

describe('signStandardWebhook', () => {
  it('reproduces the spec example signature', () => {
    expect(signStandardWebhook({ ...parts, secret: SPEC.secret })).toBe(SPEC.signature);
  });

  it('signs a Buffer body identically to its string', () => {
    expect(signStandardWebhook({ ...parts, body: Buffer.from(SPEC.body), secret: SPEC.secret })).toBe(SPEC.signature);
  });

  it('keys a secret without the whsec_ prefix by its raw UTF-8 bytes', () => {
    const secret = 'plain-tenant-secret';
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8'))
      .update(`${SPEC.id}.${SPEC.timestamp}.${SPEC.body}`)
      .digest('base64');
    expect(signStandardWebhook({ ...parts, secret })).toBe(`v1,${expected}`);
  });

  it('does not base64-decode a plain secret that happens to be valid base64', () => {
    const encoded = SPEC.secret.slice('whsec_'.length);
    expect(signStandardWebhook({ ...parts, secret: encoded })).not.toBe(SPEC.signature);
  });

  it('binds the id, timestamp and body into the signature', () => {
    const signature = signStandardWebhook({ ...parts, secret: SPEC.secret });
    expect(signStandardWebhook({ ...parts, id: 'msg_other', secret: SPEC.secret })).not.toBe(signature);
    expect(signStandardWebhook({ ...parts, timestamp: SPEC.timestamp + 1, secret: SPEC.secret })).not.toBe(signature);
    expect(signStandardWebhook({ ...parts, body: '{"test": 1}', secret: SPEC.secret })).not.toBe(signature);
  });

  it.each([
    ['whsec_', 'empty after prefix'],
    ['whsec_not base64!', 'invalid characters'],
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS', 'bad length'],
    ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw=', 'bad padding'],
    ['', 'empty secret'],
  ])('refuses the malformed secret %p (%s)', (secret) => {
    expect(() => signStandardWebhook({ ...parts, secret })).toThrow(TypeError);
  });

  it.each([[1.5], [-1], [NaN], [Infinity], [Number.MAX_SAFE_INTEGER + 1]])('refuses the timestamp %p', (timestamp) => {
    expect(() => signStandardWebhook({ ...parts, timestamp, secret: SPEC.secret })).toThrow(/timestamp/);
  });

  it('refuses an empty id', () => {
    expect(() => signStandardWebhook({ ...parts, id: '', secret: SPEC.secret })).toThrow(/id/);
  });
});

describe('standardWebhookSignatureHeader', () => {
  it('emits one space-separated v1 signature per secret, in order', () => {
    const next = generateSecret();
    const header = standardWebhookSignatureHeader(parts, [SPEC.secret, next]);

    expect(header.split(' ')).toEqual([SPEC.signature, signStandardWebhook({ ...parts, secret: next })]);
  });

  it('requires at least one secret', () => {
    expect(() => standardWebhookSignatureHeader(parts, [])).toThrow(/secret/);
  });
});

describe('verifyStandardWebhook', () => {
  const verify = (overrides: Partial<Parameters<typeof verifyStandardWebhook>[0]> = {}) =>
    verifyStandardWebhook({ ...parts, signatureHeader: SPEC.signature, secrets: [SPEC.secret], now: SPEC_NOW, ...overrides });

  it('accepts the spec example', () => {
    expect(verify()).toBe(true);
  });

  it('accepts the raw timestamp header string', () => {
    expect(verify({ timestamp: String(SPEC.timestamp) })).toBe(true);
  });

  describe('secret rotation', () => {
    const oldSecret = SPEC.secret;
    const newSecret = generateSecret();
    const header = standardWebhookSignatureHeader(parts, [oldSecret, newSecret]);

    it('verifies with only the old secret', () => {
      expect(verify({ signatureHeader: header, secrets: [oldSecret] })).toBe(true);
    });

    it('verifies with only the new secret', () => {
      expect(verify({ signatureHeader: header, secrets: [newSecret] })).toBe(true);
    });

    it('verifies a single-signature header against a receiver holding both secrets', () => {
      const onlyNew = standardWebhookSignatureHeader(parts, [newSecret]);
      expect(verify({ signatureHeader: onlyNew, secrets: [oldSecret, newSecret] })).toBe(true);
    });

    it('rejects when the receiver holds neither secret', () => {
      expect(verify({ signatureHeader: header, secrets: [generateSecret()] })).toBe(false);
    });
  });

  it('rejects a tampered body', () => {
    expect(verify({ body: '{"test": 2432232315}' })).toBe(false);
    expect(verify({ body: `${SPEC.body} ` })).toBe(false);
  });

  it('rejects a different message id (replay under another id)', () => {
    expect(verify({ id: 'msg_other' })).toBe(false);
  });

  it('rejects a signature made for a different timestamp', () => {
    expect(verify({ timestamp: SPEC.timestamp + 1 })).toBe(false);
  });

  describe('timestamp tolerance', () => {
    const at = (offsetSeconds: number) => new Date((SPEC.timestamp + offsetSeconds) * 1000);

    it('accepts exactly at the default 300 second edge, in both directions', () => {
      expect(verify({ now: at(300) })).toBe(true);
      expect(verify({ now: at(-300) })).toBe(true);
    });

    it('rejects an expired timestamp', () => {
      expect(verify({ now: at(301) })).toBe(false);
      expect(verify({ now: at(86_400) })).toBe(false);
    });

    it('rejects a timestamp too far in the future', () => {
      expect(verify({ now: at(-301) })).toBe(false);
    });

    it('honours a custom tolerance', () => {
      expect(verify({ now: at(30), toleranceSeconds: 10 })).toBe(false);
      expect(verify({ now: at(10), toleranceSeconds: 10 })).toBe(true);
      expect(verify({ now: at(0), toleranceSeconds: 0 })).toBe(true);
      expect(verify({ now: at(1), toleranceSeconds: 0 })).toBe(false);
    });

    it('defaults to the current time', () => {
      const timestamp = Math.floor(Date.now() / 1000);
      const header = signStandardWebhook({ ...parts, timestamp, secret: SPEC.secret });
      expect(verifyStandardWebhook({ ...parts, timestamp, signatureHeader: header, secrets: [SPEC.secret] })).toBe(true);
      expect(verifyStandardWebhook({ ...parts, signatureHeader: SPEC.signature, secrets: [SPEC.secret] })).toBe(false);
    });

    it.each([[-1], [NaN], [Infinity]])('refuses the tolerance %p as a configuration error', (toleranceSeconds) => {
      expect(() => verify({ toleranceSeconds })).toThrow(/toleranceSeconds/);
    });
  });

  it('finds the matching signature among other entries and versions', () => {
    const signatureHeader = `v1,${Buffer.alloc(32).toString('base64')} v1a,ignored ${SPEC.signature}`;
    expect(verify({ signatureHeader })).toBe(true);
  });

  it('does not accept a matching signature under another version tag', () => {
    expect(verify({ signatureHeader: SPEC.signature.replace('v1,', 'v2,') })).toBe(false);
    expect(verify({ signatureHeader: SPEC.signature.slice('v1,'.length) })).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['spaces only', '   '],
    ['truncated', SPEC.signature.slice(0, -2)],
    ['extended', `${SPEC.signature}A`],
    ['comma-separated list', `${SPEC.signature},${SPEC.signature}`],
    ['non-ASCII', `v1,${'é'.repeat(44)}`],
  ])('returns false without throwing for a malformed header (%s)', (_label, signatureHeader) => {
    expect(() => verify({ signatureHeader })).not.toThrow();
    expect(verify({ signatureHeader })).toBe(false);
  });

  it.each([[undefined], [null], [42]])('returns false for a non-string header %p', (signatureHeader) => {
    expect(verify({ signatureHeader: signatureHeader as unknown as string })).toBe(false);
  });

  it.each([['abc'], ['-1614265330'], ['1614265330.0'], [' 1614265330'], [''], [1614265330.5], [-1]])(
    'returns false for the malformed timestamp %p',
    (timestamp) => {
      expect(verify({ timestamp })).toBe(false);
    },
  );

  it('returns false for an empty id', () => {
    expect(verify({ id: '' })).toBe(false);
  });

  it('throws on a configuration error: no secrets', () => {
    expect(() => verify({ secrets: [] })).toThrow(/secret/);
  });

  it('compares with crypto.timingSafeEqual', () => {
    // The real module object, not an import namespace copy, so the spy sees the util's calls.
    const spy = jest.spyOn(jest.requireActual<typeof import('node:crypto')>('node:crypto'), 'timingSafeEqual');
    try {
      expect(verify()).toBe(true);
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});
