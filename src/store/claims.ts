/**
 * The worker's claim statements: taking due runs under a lease, batch-shaped (one UPDATE and one
 * event INSERT per claim, however many runs it takes). Every function takes the caller's connection.
 */
import { sql } from 'kysely';
import { ACTIVE_RUN_STATUSES, RunStatus } from '../states.js';
import type { Dialect } from './dialect.js';
import type { Conn } from './connect.js';
import type { RunEventRow, RunRow, StepRow } from './runs.js';

/** A claimable run held back (e.g. by its concurrency limit) is looked at again at `until`. */
export async function deferClaim(conn: Conn, runId: string, until: number): Promise<void> {
  await conn.updateTable('runs').set({ claim_at: until }).where('id', '=', runId).execute();
}

/**
 * Moves these runs to `running` under `owner`'s lease in one UPDATE and returns them as updated.
 * A queued run starts a new attempt; each run's event_seq is bumped by one for its claim event.
 */
export async function claimRuns(conn: Conn, runIds: string[], owner: string, leaseUntil: number, now: number): Promise<RunRow[]> {
  if (runIds.length === 0) return [];
  return conn
    .updateTable('runs')
    .set({
      status: RunStatus.running,
      waiting_for: null,
      lease_owner: owner,
      claim_at: leaseUntil,
      started_at: sql`COALESCE(started_at, ${now})`,
      deadline_at: sql`COALESCE(deadline_at, ${now} + timeout_ms)`,
      attempt: sql`CASE WHEN status = ${sql.lit(RunStatus.queued)} THEN attempt + 1 ELSE attempt END`,
      event_seq: sql`event_seq + 1`,
      updated_at: now,
    })
    .where('id', 'in', runIds)
    .returningAll()
    .execute();
}

/** One INSERT for a claim's events; one already logged under its idempotency key is dropped. */
export async function insertClaimEvents(conn: Conn, events: RunEventRow[]): Promise<void> {
  if (events.length === 0) return;
  await conn.insertInto('run_events').values(events).onConflict((oc) => oc.columns(['run_id', 'idempotency_key']).doNothing()).execute();
}

/** The steps of several runs in one read, each run's in order. */
export async function stepsOfRuns(conn: Conn, runIds: string[]): Promise<StepRow[]> {
  if (runIds.length === 0) return [];
  return conn.selectFrom('steps').selectAll().where('run_id', 'in', runIds).orderBy('idx').execute();
}

/**
 * Locks these workspaces' rows (PostgreSQL, in id order: claims on several nodes take turns per
 * workspace) and counts their active (running or waiting) runs.
 */
export async function lockWorkspacesAndCountActive(conn: Conn, dialect: Dialect, workspaceIds: string[]): Promise<Map<string, number>> {
  if (workspaceIds.length === 0) return new Map();
  if (dialect === 'postgres') await conn.selectFrom('workspaces').select('id').where('id', 'in', workspaceIds).orderBy('id').forUpdate().execute();
  const rows = await conn
    .selectFrom('runs')
    .select((eb) => ['workspace_id', eb.fn.countAll<number>().as('n')])
    .where('workspace_id', 'in', workspaceIds)
    .where('status', 'in', ACTIVE_RUN_STATUSES)
    .groupBy('workspace_id')
    .execute();
  return new Map(rows.map((r) => [r.workspace_id, Number(r.n)]));
}

/** The earliest time any run becomes claimable, or null when none is scheduled. */
export async function nextClaimAt(conn: Conn): Promise<number | null> {
  const row = await conn
    .selectFrom('runs')
    .select((eb) => eb.fn.min('claim_at').as('next'))
    .where('claim_at', 'is not', null)
    .executeTakeFirst();
  return row?.next === null || row?.next === undefined ? null : Number(row.next);
}
