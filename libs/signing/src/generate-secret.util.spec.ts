import { generateSecret } from './generate-secret.util';
import { signStandardWebhook } from './sign-standard-webhook.util';

describe('generateSecret', () => {
  it('returns whsec_ followed by base64 of 32 bytes', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
  });

  it('honours a custom prefix', () => {
    expect(generateSecret('mnts_')).toMatch(/^mnts_[A-Za-z0-9+/]{43}=$/);
    expect(generateSecret('')).toMatch(/^[A-Za-z0-9+/]{43}=$/);
  });

  it('returns a different secret each time', () => {
    const secrets = new Set(Array.from({ length: 100 }, () => generateSecret()));
    expect(secrets.size).toBe(100);
  });

  it('produces secrets usable for Standard Webhooks signing', () => {
    expect(signStandardWebhook({ id: 'msg_1', timestamp: 1, body: '{}', secret: generateSecret() })).toMatch(
      /^v1,[A-Za-z0-9+/]{43}=$/,
    );
  });
});
