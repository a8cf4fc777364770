import { signStandardWebhook } from './sign-standard-webhook.util';
import { StandardWebhookParts } from './standard-webhook.types';

/**
 * Builds the `webhook-signature` header value with one `v1,` signature per secret, so receivers
 * holding either the old or the new secret keep verifying during a rotation.
 */
export function standardWebhookSignatureHeader(parts: StandardWebhookParts, secrets: readonly string[]): string {
  if (!Array.isArray(secrets) || secrets.length === 0) throw new TypeError('At least one webhook secret is required');
  return secrets.map((secret) => signStandardWebhook({ ...parts, secret })).join(' ');
}
