/**
 * Durations as written in definitions: one or more `<integer><unit>` parts, largest unit first,
 * e.g. `500ms`, `2s`, `10m`, `24h`, `7d`, `1w`, `1h30m`. A unit is required: a bare `30` is
 * ambiguous (seconds? milliseconds?) and rejected.
 */

/** JSON Schema pattern for the duration grammar below (`500ms`, `1h30m`, `7d`). */
export const DURATION_PATTERN = '^(?=[0-9])([0-9]+w)?([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$';

const UNITS = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNITS;
const ORDER: Unit[] = ['w', 'd', 'h', 'm', 's', 'ms'];
const PART = /(\d+)(ms|w|d|h|m|s)/y;

/** Parses a duration into milliseconds; throws `Error` naming the problem. */
export function parseDuration(text: string): number {
  if (typeof text !== 'string') throw new Error('duration must be a string such as "30s" or "1h30m"');
  const source = text.trim();
  if (source === '') throw new Error('duration is empty; use e.g. "30s", "10m" or "1h30m"');
  let total = 0;
  let lastRank = -1;
  PART.lastIndex = 0;
  while (PART.lastIndex < source.length) {
    const start = PART.lastIndex;
    const match = PART.exec(source);
    if (!match) throw new Error(invalid(text, `unexpected "${source.slice(start)}"`));
    const unit = match[2] as Unit;
    const rank = ORDER.indexOf(unit);
    if (rank <= lastRank) throw new Error(invalid(text, `units must appear once each, largest first`));
    lastRank = rank;
    total += Number(match[1]) * UNITS[unit];
  }
  if (!Number.isSafeInteger(total)) throw new Error(invalid(text, 'too large'));
  return total;
}

function invalid(text: string, why: string): string {
  return `invalid duration "${text}": ${why} (expected e.g. 500ms, 2s, 10m, 24h, 7d, 1w, 1h30m)`;
}

/** Formats milliseconds as the shortest duration string `parseDuration` reads back (weeks as days). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot format duration ${ms}`);
  let rest = Math.floor(ms);
  if (rest === 0) return '0s';
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const count = Math.floor(rest / UNITS[unit]);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * UNITS[unit];
    }
  }
  return out;
}
