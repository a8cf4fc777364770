export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}

/** Errors that mean "the database is (re)starting or unreachable": retry later rather than fail. */
export function isTransientDatabaseError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code ?? '';
  return ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08003', '08006', '53300'].includes(code)
    || /Connection terminated|timeout exceeded when trying to connect/i.test(String((error as Error)?.message));
}

/** Data exceptions (22xxx) and integrity violations (23xxx): the rows are at fault, a retry fails again. */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code ?? '';
  return /^2[23][0-9A-Z]{3}$/.test(code);
}

/**
 * `cached plan must not change result type` (0A000): a statement prepared before a migration changed
 * a table it returns rows of (`select *`, `returning *`), as when a newer replica migrates during a
 * rolling deploy.
 */
export function isStalePlanError(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '0A000';
}
