import { createHmac } from 'node:crypto';
import { standardWebhookKey } from './standard-webhook-key.util';
import { StandardWebhookParts } from './standard-webhook.types';

/**
 * Signs a message per the Standard Webhooks spec: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
 * https://www.standardwebhooks.com
 */
export function signStandardWebhook({ id, timestamp, body, secret }: StandardWebhookParts & { secret: string }): string {
  if (typeof id !== 'string' || id.length === 0) throw new TypeError('Webhook id must be a non-empty string');
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new TypeError(`Webhook timestamp must be non-negative integer seconds, got ${String(timestamp)}`);
  }
  const signature = createHmac('sha256', standardWebhookKey(secret))
    .update(`${id}.${timestamp}.`, 'utf8')
    .update(body)
    .digest('base64');
  return `v1,${signature}`;
}
