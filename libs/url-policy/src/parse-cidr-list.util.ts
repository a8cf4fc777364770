import { InvalidCidrError } from './invalid-cidr.error';
import { parseCidr } from './parse-cidr.util';

/**
 * Parses a comma-separated allow-list such as `WEBHOOK_ALLOWED_CIDRS=127.0.0.0/8,::1/128`.
 * Unset or blank means "nothing extra allowed"; any bad entry throws naming it, so a typo fails
 * at startup instead of silently leaving the list narrower (or wider) than intended.
 */
export function parseCidrList(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    if (!parseCidr(entry)) throw new InvalidCidrError(entry);
  }
  return entries;
}
