import { quoteInput } from './quote-input.util';

export class InvalidMilestoneError extends Error {
  override readonly name = 'InvalidMilestoneError';

  constructor(readonly input: unknown) {
    super(
      `Invalid milestone ${quoteInput(input)}: use a percentage strictly between 0% and 100%, like 25%, 50%, 12.5%`,
    );
  }
}
