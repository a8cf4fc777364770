export { MAX_DURATION_MS, MIN_DURATION_MS } from './duration-limits.constants';
export { InvalidDurationError } from './invalid-duration.error';
export { InvalidMilestoneError } from './invalid-milestone.error';
export { parseDuration } from './parse-duration.util';
export { formatDuration } from './format-duration.util';
export { parseMilestone } from './parse-milestone.util';
