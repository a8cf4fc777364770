import { decodeStrictBase64 } from './decode-strict-base64.util';

const SECRET_PREFIX = 'whsec_';

/** Turns a Standard Webhooks secret into the HMAC key bytes. */
export function standardWebhookKey(secret: string): Buffer {
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError('Webhook secret must be a non-empty string');

  if (!secret.startsWith(SECRET_PREFIX)) {
    // Tenants may set per-timer secrets as plain strings; those are keyed by their UTF-8 bytes,
    // the same way the `sha256=` scheme uses them, so one secret works for both headers.
    return Buffer.from(secret, 'utf8');
  }

  const key = decodeStrictBase64(secret.slice(SECRET_PREFIX.length));
  if (!key || key.length === 0) {
    throw new TypeError(`Webhook secret starting with "${SECRET_PREFIX}" must be followed by valid base64`);
  }
  return key;
}
