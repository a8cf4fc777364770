import { InvalidMilestoneError } from './invalid-milestone.error';

const MILESTONE_PATTERN = /^(\d+(?:\.\d+)?)%$/;

/** Parses a progress milestone like `"25%"` or `"12.5%"` into a percentage strictly between 0 and 100. */
export function parseMilestone(input: string): number {
  if (typeof input !== 'string') throw new InvalidMilestoneError(input);

  const match = MILESTONE_PATTERN.exec(input.trim());
  if (!match) throw new InvalidMilestoneError(input);

  const percent = Number(match[1]);
  if (!(percent > 0 && percent < 100)) throw new InvalidMilestoneError(input);
  return percent;
}
