/** Formatting shared by the pages: times (relative and absolute), durations, money, tokens. */

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1_000],
];

/** "3 minutes ago", "in 2 hours"; `now` for tests and for a ticking clock. */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const delta = Date.parse(iso) - now;
  const abs = Math.abs(delta);
  if (abs < 5_000) return 'just now';
  for (const [unit, ms] of UNITS) {
    if (abs >= ms || unit === 'second') return relative.format(Math.round(delta / ms), unit);
  }
  return iso;
}

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than formatting with one (a page of 50 runs formats ~100 times). */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** A full local date and time with the zone, e.g. "Tue, 1 Dec 2026, 14:28:16 UTC". */
export function absoluteTime(iso: string, timeZone?: string): string {
  const key = timeZone ?? '';
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(undefined, {
      weekday: 'short',
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      timeZone,
      timeZoneName: 'short',
    });
    if (formatters.size < 100) formatters.set(key, formatter);
  }
  return formatter.format(new Date(iso));
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1_000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} m`;
}

export function betweenMs(from: string | null | undefined, to: string | null | undefined): number | null {
  if (!from || !to) return null;
  return Date.parse(to) - Date.parse(from);
}

export function usd(value: number | null | undefined): string {
  if (!value) return '$0';
  if (value < 0.01) return `$${value.toFixed(4)}`;
  return `$${value.toFixed(2)}`;
}

export function count(value: number | null | undefined): string {
  return (value ?? 0).toLocaleString();
}

export function json(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, null, 2);
}
