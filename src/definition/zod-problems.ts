/** zod's issues as the definition's problems: one `{path, message}` each, unknown keys one by one. */
import type { z } from 'zod';
import type { ErrorDetail } from '../errors.js';
import { appendPath, toJsonPath } from './json-path.js';

export function zodProblems(issues: z.core.$ZodIssue[]): ErrorDetail[] {
  return issues.flatMap((issue): ErrorDetail[] => {
    const segments = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const path = toJsonPath(segments);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: appendPath(path, key), message: 'unknown key' }));
    }
    const options = (issue as { options?: unknown }).options;
    if (issue.code === 'invalid_union' && Array.isArray(options)) {
      return [{ path, message: `must be one of ${options.join(', ')}` }];
    }
    return [{ path, message: issue.message }];
  });
}
