import { parseDuration } from '../definition/duration.js';
import { NonRetriableError } from '../errors.js';

/** JSON Schema pattern for the duration grammar of definition/duration.ts (`500ms`, `1h30m`, `7d`). */
export const DURATION_PATTERN = '^(?=[0-9])([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$';

/** `parseDuration` for an action's `with:` field: a bad value fails the step, naming the field. */
export function parseDurationMs(text: string, field: string): number {
  try {
    return parseDuration(text);
  } catch (err) {
    throw new NonRetriableError(`${field}: ${(err as Error).message}`, { cause: err });
  }
}
