import { timingSafeEqual } from 'node:crypto';

/**
 * Compares two strings in constant time for equal lengths. A length mismatch returns false
 * early; that only leaks the length, which is public for our fixed-size signatures anyway.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}
