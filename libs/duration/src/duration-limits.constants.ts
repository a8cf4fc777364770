/** Smallest accepted duration: a zero-length timer is almost always a caller bug. */
export const MIN_DURATION_MS = 1;

/** Largest accepted duration (365 days); longer timers belong in a scheduler, not a timer. */
export const MAX_DURATION_MS = 365 * 24 * 60 * 60 * 1000;
