/** The reads of a bulk action over runs (cancel or retry many): batches by filter or by id. */
import type { AutomationStatus, RunStatus } from '../states.js';
import type { Conn } from './connect.js';
import { filteredRuns, type RunFilter } from './runs.js';

/** What a bulk action needs to know of a run before it acts on it. */
export interface BulkRunRow {
  id: string;
  automation_id: string;
  automation_name: string;
  status: RunStatus;
}

/**
 * The next `limit` runs matching `f` below the id `before` (all of them when null), newest first:
 * the same order and keyset as the run list, so a batch is an index range, never an offset.
 */
export async function selectRunBatch(conn: Conn, workspaceId: string, f: RunFilter, before: string | null, limit: number): Promise<BulkRunRow[]> {
  let q = filteredRuns(conn, workspaceId, f).select(['id', 'automation_id', 'automation_name', 'status']);
  if (before) q = q.where('id', '<', before);
  return q.orderBy('id', 'desc').limit(limit).execute();
}

/** How many runs match `f` below the id `before`: what a bulk action has left to do. */
export async function countRunsBelow(conn: Conn, workspaceId: string, f: RunFilter, before: string): Promise<number> {
  const row = await filteredRuns(conn, workspaceId, f)
    .where('id', '<', before)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The workspace's runs among `ids` (another workspace's are left out, as missing ones). */
export async function runsByIds(conn: Conn, workspaceId: string, ids: string[]): Promise<BulkRunRow[]> {
  if (ids.length === 0) return [];
  return conn.selectFrom('runs').select(['id', 'automation_id', 'automation_name', 'status']).where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute();
}

/** For each of `ids` that was retried, the id of its newest retry (index `runs_retry_of`, migration 014). */
export async function newestRetries(conn: Conn, ids: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (ids.length === 0) return out;
  const rows = await conn.selectFrom('runs').select(['id', 'retry_of']).where('retry_of', 'in', ids).execute();
  for (const row of rows) {
    const of = row.retry_of!;
    const seen = out.get(of);
    if (seen === undefined || row.id > seen) out.set(of, row.id);
  }
  return out;
}

/** The status of each of these automations. */
export async function automationStatuses(conn: Conn, ids: string[]): Promise<Map<string, AutomationStatus>> {
  if (ids.length === 0) return new Map();
  const rows = await conn.selectFrom('automations').select(['id', 'status']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.status]));
}
