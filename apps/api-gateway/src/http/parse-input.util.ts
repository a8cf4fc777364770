import { z } from 'zod';
import { ApiError } from './api-error';

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length > 0 ? issue.path.join('.') : 'body';
  if (issue.code === 'unrecognized_keys') return `${path === 'body' ? 'unknown field' : `${path}: unknown field`}${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return `${path}: ${issue.message}`;
}

/** Validates input against a schema, answering 400 with every problem named. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, code = 'VALIDATION_FAILED'): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ApiError(400, code, result.error.issues.map(describeIssue).join('; '));
  return result.data;
}
