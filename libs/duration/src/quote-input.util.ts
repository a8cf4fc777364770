const MAX_QUOTED_LENGTH = 64;

/** Quotes user input for an error message, truncated so a huge payload can't flood the logs. */
export function quoteInput(input: unknown): string {
  const text = typeof input === 'string' ? input : String(input);
  const shown = text.length > MAX_QUOTED_LENGTH ? `${text.slice(0, MAX_QUOTED_LENGTH)}…` : text;
  return JSON.stringify(shown);
}
