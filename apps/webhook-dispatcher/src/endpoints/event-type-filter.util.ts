import { DELIVERABLE_EVENT_TYPES } from '@minoots/contracts';

const CATEGORIES = new Set(DELIVERABLE_EVENT_TYPES.map((type) => type.split('.')[0]));

/** `timer.expired` (exact), `timer.*` (a category) or `*` (everything). */
export function isValidEventTypeFilter(pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return CATEGORIES.has(pattern.slice(0, -2));
  return (DELIVERABLE_EVENT_TYPES as readonly string[]).includes(pattern);
}

export function matchesEventTypes(patterns: readonly string[], eventType: string): boolean {
  return patterns.some(
    (pattern) => pattern === '*' || pattern === eventType || (pattern.endsWith('.*') && eventType.startsWith(pattern.slice(0, -1))),
  );
}
