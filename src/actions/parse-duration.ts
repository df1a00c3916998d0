import { parseDuration } from '../definition/duration.js';
import { NonRetriableError } from '../errors.js';

export { DURATION_PATTERN } from '../definition/duration.js';

/** `parseDuration` for an action's `with:` field: a bad value fails the step, naming the field. */
export function parseDurationMs(text: string, field: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new NonRetriableError(`${field}: ${(err as Error).message}`, { cause: err });
  }
}
