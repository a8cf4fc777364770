/** Units in the strictly descending order that duration strings must follow. */
export const DURATION_UNITS = [
  { unit: 'w', ms: 7 * 24 * 60 * 60 * 1000 },
  { unit: 'd', ms: 24 * 60 * 60 * 1000 },
  { unit: 'h', ms: 60 * 60 * 1000 },
  { unit: 'm', ms: 60 * 1000 },
  { unit: 's', ms: 1000 },
  { unit: 'ms', ms: 1 },
] as const;
