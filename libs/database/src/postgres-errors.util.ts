export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}

/** Errors that mean "the database is (re)starting or unreachable": retry later rather than fail. */
export function isTransientDatabaseError(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code ?? '';
  return ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08003', '08006', '53300'].includes(code)
    || /Connection terminated|timeout exceeded when trying to connect/i.test(String((error as Error)?.message));
}
