/** Approvals, one row per pending or decided human decision. Every function takes the caller's connection. */
import type { Updateable } from 'kysely';
import { ApprovalStatus, type RunStatus } from '../states.js';
import type { Conn } from './connect.js';
import type { Dialect } from './dialect.js';
import type { ApprovalTable } from './schema.js';

export type ApprovalRow = ApprovalTable;

/** An approval row with the run fields the inbox shows. */
export type ApprovalListRow = ApprovalRow & { automation_name: string; run_status: RunStatus };

/** Inserts unless (run, step, key) exists; returns the row in force either way. */
export async function insertApproval(conn: Conn, row: ApprovalRow): Promise<ApprovalRow> {
  await conn
    .insertInto('approvals')
    .values(row)
    .onConflict((oc) => oc.columns(['run_id', 'step_id', 'key']).doNothing())
    .execute();
  return conn
    .selectFrom('approvals')
    .selectAll()
    .where('run_id', '=', row.run_id)
    .where('step_id', '=', row.step_id)
    .where('key', '=', row.key)
    .executeTakeFirstOrThrow();
}

/** One approval, row-locked on PostgreSQL when `lock` (decisions serialize on it). */
export async function getApprovalRow(conn: Conn, id: string, lock?: Dialect): Promise<ApprovalRow | undefined> {
  let q = conn.selectFrom('approvals').selectAll().where('id', '=', id);
  if (lock === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function getApprovalListRow(conn: Conn, id: string): Promise<ApprovalListRow | undefined> {
  return conn
    .selectFrom('approvals')
    .innerJoin('runs', 'runs.id', 'approvals.run_id')
    .selectAll('approvals')
    .select(['runs.automation_name', 'runs.status as run_status'])
    .where('approvals.id', '=', id)
    .executeTakeFirst();
}

/** A workspace's approvals, newest first, keyset-paginated by id. */
export async function listApprovalRows(
  conn: Conn,
  workspaceId: string,
  opts: { state?: ApprovalStatus; runId?: string; before?: string | null; limit: number },
): Promise<{ rows: ApprovalListRow[]; total: number }> {
  let base = conn.selectFrom('approvals').innerJoin('runs', 'runs.id', 'approvals.run_id').where('approvals.workspace_id', '=', workspaceId);
  if (opts.state) base = base.where('approvals.state', '=', opts.state);
  if (opts.runId) base = base.where('approvals.run_id', '=', opts.runId);
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  let page = base
    .selectAll('approvals')
    .select(['runs.automation_name', 'runs.status as run_status'])
    .orderBy('approvals.id', 'desc')
    .limit(opts.limit);
  if (opts.before) page = page.where('approvals.id', '<', opts.before);
  return { rows: await page.execute(), total: Number(total.n) };
}

/** Pending approvals whose run ended without a decision (shown as `expired`, see the service). */
export async function pendingOfEndedRuns(conn: Conn, workspaceId: string, terminal: readonly RunStatus[]): Promise<string[]> {
  const rows = await conn
    .selectFrom('approvals')
    .innerJoin('runs', 'runs.id', 'approvals.run_id')
    .select('approvals.id')
    .where('approvals.workspace_id', '=', workspaceId)
    .where('approvals.state', '=', ApprovalStatus.pending)
    .where('runs.status', 'in', [...terminal])
    .limit(500)
    .execute();
  return rows.map((r) => r.id);
}

/** Pending approvals of a workspace whose expiry has passed (at most 500 per call). */
export async function pendingExpired(conn: Conn, workspaceId: string, now: number): Promise<string[]> {
  const rows = await conn
    .selectFrom('approvals')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('state', '=', ApprovalStatus.pending)
    .where('expires_at', '<=', now)
    .limit(500)
    .execute();
  return rows.map((r) => r.id);
}

/** Conditional on the state the caller read: returns false when someone else changed it first. */
export async function updateApproval(conn: Conn, id: string, expectedState: ApprovalStatus, patch: Updateable<ApprovalTable>): Promise<boolean> {
  const res = await conn.updateTable('approvals').set(patch).where('id', '=', id).where('state', '=', expectedState).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function tokenName(conn: Conn, tokenId: string): Promise<string | null> {
  const row = await conn.selectFrom('tokens').select('name').where('id', '=', tokenId).executeTakeFirst();
  return row?.name ?? null;
}
