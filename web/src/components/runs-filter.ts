/**
 * The runs explorer's filter as it lives in the URL (`/runs?automation=&status=&trigger=&since=&until=&q=`)
 * and as the API takes it. `since` may be relative (`24h`, `7d`): a shared link keeps meaning "the
 * last day", resolved when the page asks the server.
 */
import type { RunFilterQuery } from '../../../src/client/index.js';

export interface RunsSearch {
  automation?: string;
  /** a comma list of run statuses */
  status?: string;
  trigger?: string;
  since?: string;
  until?: string;
  q?: string;
}

export const RUN_STATUSES = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'timed_out', 'canceled', 'skipped'] as const;

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** The time windows offered; their values are what `since` holds in the URL. */
export const WINDOWS = [
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
] as const;

/** `24h` → its length in ms; anything else → null. */
export function relativeMs(value: string): number | null {
  const match = /^(\d{1,4})([mhd])$/.exec(value);
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : null;
}

/** A URL time (relative or absolute) as the ISO time the API takes; an unreadable one is passed on for the API to refuse. */
export function resolveTime(value: string | undefined, now: number): string | undefined {
  if (!value) return undefined;
  const rel = relativeMs(value);
  if (rel !== null) return new Date(now - rel).toISOString();
  const at = Date.parse(value);
  return Number.isNaN(at) ? value : new Date(at).toISOString();
}

/** The API's filter for the URL's, times resolved at `now`. */
export function toFilter(search: RunsSearch, now: number): RunFilterQuery {
  return {
    automation: search.automation,
    status: search.status,
    trigger: search.trigger,
    since: resolveTime(search.since, now),
    until: resolveTime(search.until, now),
    q: search.q,
  };
}

export function statusesOf(search: RunsSearch): string[] {
  return search.status ? search.status.split(',').filter(Boolean) : [];
}

export function hasFilter(search: RunsSearch): boolean {
  return Object.values(search).some((v) => v !== undefined && v !== '');
}

/** The filter in words, for a confirmation ("status failed, automation nightly"). */
export function describeFilter(search: RunsSearch): string {
  const parts: string[] = [];
  if (search.automation) parts.push(`automation ${search.automation}`);
  if (search.status) parts.push(`status ${statusesOf(search).join(' or ')}`);
  if (search.trigger) parts.push(`trigger ${search.trigger}`);
  if (search.since) parts.push(`queued ${WINDOWS.find((w) => w.value === search.since)?.label.toLowerCase() ?? `since ${search.since}`}`);
  if (search.until) parts.push(`queued before ${search.until}`);
  if (search.q) parts.push(`error contains "${search.q}"`);
  return parts.length > 0 ? parts.join(', ') : 'no filter: every run of the workspace';
}

/** `datetime-local` input value (local time, minutes) ↔ ISO. */
export function toLocalInput(iso: string | undefined): string {
  if (!iso || relativeMs(iso) !== null) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

export function fromLocalInput(value: string): string | undefined {
  if (!value) return undefined;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}
