import { NonRetriableError } from '../errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const DURATION_PATTERN = '^([0-9]+(ms|s|m|h|d))+$';

/**
 * Parses `500ms`, `2s`, `10m`, `1h30m`, `1d` into milliseconds.
 * Stand-in for definition/duration.ts (not written yet when actions were); swap when it lands.
 */
export function parseDurationMs(text: string, field: string): number {
  if (!new RegExp(DURATION_PATTERN).test(text)) {
    throw new NonRetriableError(`${field}: "${text}" is not a duration (examples: 500ms, 30s, 10m, 1h30m)`);
  }
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]+)(ms|s|m|h|d)/g)) total += Number(amount) * UNIT_MS[unit];
  return total;
}
