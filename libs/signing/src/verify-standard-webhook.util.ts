import { constantTimeEqual } from './constant-time-equal.util';
import { signStandardWebhook } from './sign-standard-webhook.util';
import { VerifyStandardWebhookOptions } from './standard-webhook.types';

const DEFAULT_TOLERANCE_SECONDS = 300;
const TIMESTAMP_PATTERN = /^\d{1,15}$/;
const SIGNATURE_VERSION = 'v1,';

/**
 * Verifies a Standard Webhooks message: the timestamp must be within the tolerance (both ways, to
 * stop replays of old messages and pre-signed future ones) and any `v1,` signature in the header
 * must match any of the secrets. Returns false for malformed input; throws only on bad configuration.
 */
export function verifyStandardWebhook({
  id,
  timestamp,
  body,
  signatureHeader,
  secrets,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
  now = new Date(),
}: VerifyStandardWebhookOptions): boolean {
  if (!Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) {
    throw new TypeError(`toleranceSeconds must be a non-negative number, got ${String(toleranceSeconds)}`);
  }
  if (!Array.isArray(secrets) || secrets.length === 0) throw new TypeError('At least one webhook secret is required');

  const seconds = parseTimestamp(timestamp);
  if (seconds === undefined || typeof id !== 'string' || id.length === 0) return false;
  if (typeof signatureHeader !== 'string' || (typeof body !== 'string' && !Buffer.isBuffer(body))) return false;
  if (Math.abs(Math.floor(now.getTime() / 1000) - seconds) > toleranceSeconds) return false;

  const candidates = signatureHeader.split(' ').filter((part) => part.startsWith(SIGNATURE_VERSION));
  if (candidates.length === 0) return false;

  const expected = secrets.map((secret) => signStandardWebhook({ id, timestamp: seconds, body, secret }));
  let matched = false;
  for (const candidate of candidates) {
    for (const signature of expected) {
      // No early exit: every pair is compared so timing doesn't reveal which one matched.
      matched = constantTimeEqual(signature, candidate) || matched;
    }
  }
  return matched;
}

function parseTimestamp(timestamp: number | string): number | undefined {
  if (typeof timestamp === 'number') return Number.isSafeInteger(timestamp) && timestamp >= 0 ? timestamp : undefined;
  if (typeof timestamp === 'string' && TIMESTAMP_PATTERN.test(timestamp)) return Number(timestamp);
  return undefined;
}
