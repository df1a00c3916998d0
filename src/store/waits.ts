/**
 * What wakes a waiting step from outside its run: event waits (`wait_for_event`), delegations
 * (`delegate`), and the wake-up itself. Every function takes the caller's connection.
 */
import { ACTIVE_RUN_STATUSES, DelegationStatus, EventWaitStatus, RunStatus, StepStatus } from '../states.js';
import type { Updateable } from 'kysely';
import type { Conn } from './connect.js';
import type { Dialect } from './dialect.js';
import type { DelegationTable, EventWaitTable } from './schema.js';
import { wakeRun } from './runs.js';

export type EventWaitRow = EventWaitTable;
export type DelegationRow = DelegationTable;

/** Registers a wait once per run step; a re-executed step finds the row it registered before. */
export async function insertEventWait(conn: Conn, row: EventWaitRow): Promise<EventWaitRow> {
  await conn.insertInto('event_waits').values(row).onConflict((oc) => oc.columns(['run_id', 'step_id']).doNothing()).execute();
  return (await getEventWait(conn, row.run_id, row.step_id))!;
}

export async function getEventWait(conn: Conn, runId: string, stepId: string): Promise<EventWaitRow | undefined> {
  return conn.selectFrom('event_waits').selectAll().where('run_id', '=', runId).where('step_id', '=', stepId).executeTakeFirst();
}

/** Waits of a workspace that an event may still match: unmatched, not expired, of active runs. */
export async function activeEventWaits(conn: Conn, workspaceId: string, now: number): Promise<EventWaitRow[]> {
  return conn
    .selectFrom('event_waits')
    .innerJoin('runs', 'runs.id', 'event_waits.run_id')
    .selectAll('event_waits')
    .where('event_waits.workspace_id', '=', workspaceId)
    .where('event_waits.state', '=', EventWaitStatus.waiting)
    .where('runs.status', 'in', ACTIVE_RUN_STATUSES)
    .where((eb) => eb.or([eb('event_waits.expires_at', 'is', null), eb('event_waits.expires_at', '>', now)]))
    .execute();
}

/** Records the match unless another event matched first; true when this one did. */
export async function markEventWaitMatched(conn: Conn, row: EventWaitRow, event: { id: string; json: string }, now: number): Promise<boolean> {
  const res = await conn
    .updateTable('event_waits')
    .set({ state: EventWaitStatus.matched, event_id: event.id, event: event.json, matched_at: now })
    .where('run_id', '=', row.run_id)
    .where('step_id', '=', row.step_id)
    .where('state', '=', EventWaitStatus.waiting)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function getDelegationForStep(conn: Conn, runId: string, stepId: string): Promise<DelegationRow | undefined> {
  return conn.selectFrom('delegations').selectAll().where('run_id', '=', runId).where('step_id', '=', stepId).executeTakeFirst();
}

export async function getDelegation(conn: Conn, id: string, lock?: Dialect): Promise<DelegationRow | undefined> {
  let q = conn.selectFrom('delegations').selectAll().where('id', '=', id);
  if (lock === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

/**
 * Creates the step's delegation, or gives a still pending one a new token (a re-executed step
 * posts the task again; only the newest token is valid).
 */
export async function upsertDelegation(conn: Conn, row: DelegationRow): Promise<DelegationRow> {
  await conn
    .insertInto('delegations')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['run_id', 'step_id'])
        .doUpdateSet({ token_hash: row.token_hash, url: row.url })
        .where('delegations.state', '=', DelegationStatus.pending),
    )
    .execute();
  return (await getDelegationForStep(conn, row.run_id, row.step_id))!;
}

/** Completes a pending delegation; false when it was no longer pending. */
/** Completes a pending delegation; with `tokenHash`, only while that token is still its current one. */
export async function completeDelegation(conn: Conn, id: string, patch: Updateable<DelegationTable>, tokenHash?: string): Promise<boolean> {
  let q = conn.updateTable('delegations').set(patch).where('id', '=', id).where('state', '=', DelegationStatus.pending);
  if (tokenHash !== undefined) q = q.where('token_hash', '=', tokenHash);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/**
 * Wakes one waiting step so its handler runs again now.
 * - `woken`: the run was waiting; it is claimable now.
 * - `busy`: the run is being executed (the step is still finishing its suspension, or a sibling
 *   step is in flight). Its executor holds the run's state in memory and would not see a wake
 *   written now, so the caller tries again once the run is waiting (see engine/wake.ts).
 * - `gone`: the run or the step ended; nothing to wake.
 */
export async function wakeStep(conn: Conn, runId: string, stepId: string, now: number): Promise<'woken' | 'busy' | 'gone'> {
  const row = await conn
    .selectFrom('runs')
    .innerJoin('steps', (j) => j.onRef('steps.run_id', '=', 'runs.id').on('steps.step_id', '=', stepId))
    .select(['runs.status as run_status', 'steps.status as step_status'])
    .where('runs.id', '=', runId)
    .executeTakeFirst();
  if (!row) return 'gone';
  if (row.run_status === RunStatus.running && (row.step_status === StepStatus.running || row.step_status === StepStatus.waiting)) {
    // Durable mark: the executor's suspension keeps it and makes the run claimable at once.
    await wakeRun(conn, runId, stepId, now);
    return 'busy';
  }
  if (row.run_status !== RunStatus.waiting || row.step_status !== StepStatus.waiting) return 'gone';
  await wakeRun(conn, runId, stepId, now);
  return 'woken';
}
