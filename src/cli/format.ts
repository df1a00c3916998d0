import type { RunEventView, RunView } from '../node/views.js';

/** Left-aligned columns separated by two spaces; the header row in upper case. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join('\n');
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** `2024-05-01 12:00:03` in UTC: sortable, unambiguous, short. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

export function runDuration(run: Pick<RunView, 'started_at' | 'ended_at'>): number | null {
  if (!run.started_at) return null;
  const end = run.ended_at ? Date.parse(run.ended_at) : Date.now();
  return end - Date.parse(run.started_at);
}

/** One line per run event: time, type, step and a short summary of its data. */
export function formatEvent(event: RunEventView): string {
  const time = event.created_at.slice(11, 23) || event.created_at;
  const parts = [time, `#${event.seq}`, event.type];
  if (event.step_id) parts.push(event.step_id);
  const summary = summarize(event.data);
  if (summary) parts.push(summary);
  return parts.join('  ');
}

function summarize(data: unknown): string {
  if (data === null || data === undefined) return '';
  if (typeof data !== 'object') return String(data);
  const obj = data as Record<string, unknown>;
  const error = obj.error as { code?: string; message?: string } | undefined;
  if (error && typeof error === 'object') return `${error.code ?? 'error'}: ${error.message ?? ''}`;
  const text = JSON.stringify(data);
  if (text === '{}') return '';
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
