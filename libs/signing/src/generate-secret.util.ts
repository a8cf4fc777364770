import { randomBytes } from 'node:crypto';

const SECRET_BYTES = 32;

/** Generates a webhook secret: `prefix` + base64 of 32 random bytes (256 bits of entropy). */
export function generateSecret(prefix = 'whsec_'): string {
  return `${prefix}${randomBytes(SECRET_BYTES).toString('base64')}`;
}
