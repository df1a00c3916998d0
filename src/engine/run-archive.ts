/**
 * The archive of pruned runs (`retention.archive_dir`): each run as one JSON line (its row, steps,
 * run log, agent calls with their costs, artifact metadata) in a daily gzip file
 * `runs-YYYY-MM-DD.jsonl.gz` (UTC day of the sweep). Each batch appends one gzip member (a file of
 * concatenated members is valid gzip; `zlib.gunzipSync` and `zcat` read it whole) and fsyncs it
 * before the batch's delete commits, so a run leaves the database only once it is on disk.
 */
import { closeSync, existsSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ArchivedRun } from '../store/retention.js';

const JSON_COLUMNS = new Set(['activation', 'inputs', 'output', 'error', 'input', 'logs', 'state', 'external_ref', 'data']);

/** Stored JSON text columns as values, so an archived line reads like the API's view. */
function parsed(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (typeof value === 'string' && JSON_COLUMNS.has(key)) {
      try {
        out[key] = JSON.parse(value);
        continue;
      } catch {
        // kept as text
      }
    }
    out[key] = value;
  }
  return out;
}

export function archiveFileName(now: number): string {
  return `runs-${new Date(now).toISOString().slice(0, 10)}.jsonl.gz`;
}

/**
 * Appends the runs to the day's file as one gzip member and syncs it (and the directory, when the
 * file is new); returns the file written. Throws on any I/O error, after cutting the file back to
 * its size before the write, so that a failed batch (disk full, a short write) never leaves a
 * broken member that would make the next ones unreadable by standard tools.
 */
export function archiveRuns(dir: string, runs: ArchivedRun[], now: number): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, archiveFileName(now));
  const isNew = !existsSync(file);
  const archivedAt = new Date(now).toISOString();
  const text = runs
    .map((r) => JSON.stringify({ archived_at: archivedAt, run: parsed(r.run), steps: r.steps.map(parsed), events: r.events.map(parsed), agent_calls: r.agent_calls, artifacts: r.artifacts }) + '\n')
    .join('');
  const data = gzipSync(text);
  const fd = openSync(file, 'a', 0o600);
  const before = fstatSync(fd).size;
  try {
    for (let written = 0; written < data.length; ) written += writeSync(fd, data, written, data.length - written);
    fsyncSync(fd);
  } catch (err) {
    try {
      ftruncateSync(fd, before);
    } catch {
      // the original error says what went wrong; the next batch appends after whatever is left
    }
    throw err;
  } finally {
    closeSync(fd);
  }
  if (isNew) syncDirectory(dir);
  return file;
}

/** A new file's directory entry survives a power loss only once the directory itself is synced. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
