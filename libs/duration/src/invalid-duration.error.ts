import { quoteInput } from './quote-input.util';

const VALID_EXAMPLES = 'use a number of milliseconds or units like 500ms, 30s, 15m, 8h, 2w, 6h30m, 1d12h';

export class InvalidDurationError extends Error {
  override readonly name = 'InvalidDurationError';

  constructor(
    readonly input: unknown,
    detail?: string,
  ) {
    super(`Invalid duration ${quoteInput(input)}: ${detail ? `${detail}; ` : ''}${VALID_EXAMPLES}`);
  }
}
