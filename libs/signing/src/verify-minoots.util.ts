import { constantTimeEqual } from './constant-time-equal.util';
import { signMinoots } from './sign-minoots.util';

/** Verifies a `sha256=<hex>` signature in constant time; never throws on a malformed header. */
export function verifyMinoots(
  body: string | Buffer,
  signatureHeader: string | null | undefined,
  secret: string,
): boolean {
  if (typeof signatureHeader !== 'string' || typeof secret !== 'string' || secret.length === 0) return false;
  return constantTimeEqual(signMinoots(body, secret), signatureHeader);
}
