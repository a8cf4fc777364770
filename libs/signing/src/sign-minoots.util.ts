import { createHmac } from 'node:crypto';

/**
 * Signs a raw webhook body for the `X-Minoots-Signature` header: `sha256=<hex HMAC-SHA256>`.
 * Strings are hashed as UTF-8, matching the verification snippets in the product docs.
 */
export function signMinoots(body: string | Buffer, secret: string): string {
  if (typeof secret !== 'string' || secret.length === 0) throw new TypeError('Signing secret must be a non-empty string');
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
