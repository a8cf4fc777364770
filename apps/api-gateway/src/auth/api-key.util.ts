import { createHash, randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export type ApiKeyMode = 'live' | 'test';

/** `mnt_live_` + 32 base62 characters (~190 bits). Rejection sampling keeps every character uniform. */
export function generateApiKey(mode: ApiKeyMode): string {
  let out = '';
  while (out.length < 32) {
    for (const byte of randomBytes(48)) {
      if (byte < 248 && out.length < 32) out += ALPHABET[byte % 62];
    }
  }
  return `mnt_${mode}_${out}`;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function apiKeyPrefix(key: string): string {
  return key.slice(0, 13);
}

export function apiKeyMode(key: string): ApiKeyMode {
  return key.startsWith('mnt_test_') ? 'test' : 'live';
}
