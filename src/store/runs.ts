/** Runs, their steps and their event log. Every function takes the caller's connection. */
import { ACTIVE_RUN_STATUSES, RunEventType, RunStatus, StepStatus, UNFINISHED_RUN_STATUSES } from '../states.js';
import { sql, type Updateable } from 'kysely';
import type { Conn } from './connect.js';
import type { RunTable, StepTable, RunEventTable } from './schema.js';
import { lockForClaim, type Dialect } from './dialect.js';

export type RunRow = RunTable;
export type StepRow = StepTable;
export type RunEventRow = RunEventTable;

export interface NewRunEvent {
  type: RunEventType;
  step_id?: string | null;
  data?: unknown;
  /** unique per run; a re-appended event with the same key is dropped */
  key: string;
}

export async function findRunByIdempotencyKey(conn: Conn, automationId: string, key: string): Promise<RunRow | undefined> {
  return conn.selectFrom('runs').selectAll().where('automation_id', '=', automationId).where('idempotency_key', '=', key).executeTakeFirst();
}

export async function getRunRow(conn: Conn, runId: string): Promise<RunRow | undefined> {
  return conn.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirst();
}

/**
 * The run row, locked until the transaction ends on PostgreSQL (SQLite transactions hold the one
 * write lock already): a decision made on its status cannot race a concurrent commit of the run.
 */
export async function getRunRowForUpdate(conn: Conn, dialect: Dialect, runId: string): Promise<RunRow | undefined> {
  const q = conn.selectFrom('runs').selectAll().where('id', '=', runId);
  return (dialect === 'postgres' ? q.forUpdate() : q).executeTakeFirst();
}

export async function getStepRows(conn: Conn, runId: string): Promise<StepRow[]> {
  return conn.selectFrom('steps').selectAll().where('run_id', '=', runId).orderBy('idx').execute();
}

/** The resolved input of one step of a workspace's run, or undefined when there is no such step. */
export async function stepInput(conn: Conn, workspaceId: string, runId: string, stepId: string): Promise<{ input: string | null } | undefined> {
  return conn
    .selectFrom('steps')
    .innerJoin('runs', 'runs.id', 'steps.run_id')
    .select(['steps.input'])
    .where('runs.id', '=', runId)
    .where('runs.workspace_id', '=', workspaceId)
    .where('steps.step_id', '=', stepId)
    .executeTakeFirst();
}

/**
 * Appends events to a run's log. The seq range comes from bumping `runs.event_seq` (the row lock
 * orders concurrent appenders); duplicates by idempotency key are dropped, leaving a gap.
 * `fence` makes the append conditional on the caller still holding the run's lease: it returns
 * null (and writes nothing) when the lease was lost.
 */
export async function appendRunEvents(
  conn: Conn,
  runId: string,
  events: NewRunEvent[],
  now: number,
  patch: Updateable<RunTable> = {},
  fence?: { owner: string },
): Promise<{ lastSeq: number; cancelRequested: boolean } | null> {
  let q = conn
    .updateTable('runs')
    .set({ ...patch, event_seq: sql`event_seq + ${events.length}`, updated_at: now })
    .where('id', '=', runId);
  if (fence) q = q.where('lease_owner', '=', fence.owner);
  const row = await q.returning(['event_seq', 'cancel_requested']).executeTakeFirst();
  if (!row) return null;
  if (events.length > 0) {
    const first = row.event_seq - events.length + 1;
    await conn
      .insertInto('run_events')
      .values(
        events.map((e, i) => ({
          run_id: runId,
          seq: first + i,
          type: e.type,
          step_id: e.step_id ?? null,
          data: e.data === undefined ? null : JSON.stringify(e.data),
          idempotency_key: e.key,
          created_at: now,
        })),
      )
      .onConflict((oc) => oc.columns(['run_id', 'idempotency_key']).doNothing())
      .execute();
  }
  return { lastSeq: row.event_seq, cancelRequested: row.cancel_requested === 1 };
}

export async function listRunEvents(conn: Conn, runId: string, after: number, limit: number): Promise<RunEventRow[]> {
  return conn.selectFrom('run_events').selectAll().where('run_id', '=', runId).where('seq', '>', after).orderBy('seq').limit(limit).execute();
}

/** Candidates for a claim: due runs, oldest due first, locked (PostgreSQL) so nodes never collide. */
export async function selectClaimable(conn: Conn, dialect: Dialect, now: number, limit: number): Promise<RunRow[]> {
  const qb = conn.selectFrom('runs').selectAll().where('claim_at', '<=', now).orderBy('claim_at').limit(limit);
  return lockForClaim(qb, dialect).execute();
}

/** Active runs (running or waiting) of one automation (and concurrency key), excluding some ids. */
export async function countActiveRuns(conn: Conn, automationId: string, key: string | null, exclude: string[]): Promise<number> {
  let q = conn
    .selectFrom('runs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('automation_id', '=', automationId)
    .where('status', 'in', ACTIVE_RUN_STATUSES);
  if (key !== null) q = q.where('concurrency_key', '=', key);
  if (exclude.length > 0) q = q.where('id', 'not in', exclude);
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Serializes concurrency decisions for one automation across nodes (PostgreSQL row lock). */
/**
 * Locks automation rows (PostgreSQL; SQLite transactions already hold the one write lock) in id
 * order, one statement for all: fires that count runs (fire limits, overlap) are serialized per
 * automation, and two batches locking overlapping sets wait instead of deadlocking.
 */
export async function lockAutomationRows(conn: Conn, dialect: Dialect, automationIds: string[]): Promise<void> {
  if (dialect !== 'postgres' || automationIds.length === 0) return;
  await conn.selectFrom('automations').select('id').where('id', 'in', automationIds).orderBy('id').forUpdate().execute();
}

/** A run's status and cancel flag, its row locked until the transaction ends (PostgreSQL). */
export async function lockRunRow(conn: Conn, dialect: Dialect, runId: string): Promise<{ status: RunStatus; cancel_requested: number } | undefined> {
  let q = conn.selectFrom('runs').select(['status', 'cancel_requested']).where('id', '=', runId);
  if (dialect === 'postgres') q = q.forUpdate();
  return q.executeTakeFirst();
}

/** The runs of these automations that count for overlap: queued, running or waiting. */
export async function activeRunsOf(conn: Conn, automationIds: string[]): Promise<Array<{ id: string; automation_id: string; status: RunStatus }>> {
  if (automationIds.length === 0) return [];
  return conn.selectFrom('runs').select(['id', 'automation_id', 'status']).where('automation_id', 'in', automationIds).where('status', 'in', UNFINISHED_RUN_STATUSES).execute();
}

/**
 * Queue times of an automation's (or one of its triggers') non-skipped runs queued after `after`,
 * newest first, at most `limit` (what a fire limit counts).
 */
export async function recentQueueTimes(conn: Conn, automationId: string, triggerId: string | null, after: number, limit: number): Promise<number[]> {
  let q = conn
    .selectFrom('runs')
    .select('queued_at')
    .where('automation_id', '=', automationId)
    .where('status', '!=', RunStatus.skipped)
    .where('queued_at', '>', after)
    .orderBy('queued_at', 'desc')
    .limit(limit);
  if (triggerId !== null) q = q.where('trigger_id', '=', triggerId);
  return (await q.execute()).map((r) => Number(r.queued_at));
}

/** Asks these runs to cancel; the ones not running are made claimable now so they end at once. */
export async function requestCancel(conn: Conn, runIds: string[], now: number): Promise<void> {
  if (runIds.length === 0) return;
  await conn.updateTable('runs').set({ cancel_requested: 1 }).where('id', 'in', runIds).execute();
  await conn.updateTable('runs').set({ claim_at: now }).where('id', 'in', runIds).where('status', '!=', RunStatus.running).execute();
}

/** The automation and version a run executes. */
export async function runVersionOf(conn: Conn, runId: string): Promise<{ automation_id: string; version: number }> {
  return conn.selectFrom('runs').select(['automation_id', 'version']).where('id', '=', runId).executeTakeFirstOrThrow();
}

export async function renewLeases(conn: Conn, owner: string, runIds: string[], until: number): Promise<string[]> {
  if (runIds.length === 0) return [];
  const rows = await conn
    .updateTable('runs')
    .set({ claim_at: until })
    .where('lease_owner', '=', owner)
    .where('status', '=', RunStatus.running)
    .where('id', 'in', runIds)
    .returning(['id', 'cancel_requested'])
    .execute();
  return rows.filter((r) => r.cancel_requested === 1).map((r) => r.id);
}

/** Wakes queued runs of an automation that were held back by its concurrency limit. */
export async function wakeQueued(conn: Conn, automationId: string, now: number): Promise<void> {
  await conn
    .updateTable('runs')
    .set({ claim_at: now })
    .where('automation_id', '=', automationId)
    .where('status', '=', RunStatus.queued)
    .where('claim_at', '>', now)
    .execute();
}

/**
 * Wakes a workspace's queued runs held back by its concurrency cap (a run of it ended). Runs
 * written ahead for a later slot (queued_at in the future) keep their time.
 */
export async function wakeQueuedInWorkspace(conn: Conn, workspaceId: string, now: number): Promise<void> {
  await conn
    .updateTable('runs')
    .set({ claim_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', RunStatus.queued)
    .where('claim_at', '>', now)
    .where('queued_at', '<=', now)
    .execute();
}

/**
 * Makes a waiting parent run claimable now (its child finished). The parent's step waits with no
 * wake time ("only when woken"), so it is made due too: waking the run alone re-suspends it.
 */
export async function wakeRun(conn: Conn, runId: string, stepId: string | null, now: number): Promise<void> {
  if (stepId !== null) {
    // A step still `running` is marked too: its executor may be about to commit it as `waiting`,
    // and that commit keeps this earlier wake time (see run-flush.ts), so the wake is never lost.
    await conn.updateTable('steps').set({ wake_at: now }).where('run_id', '=', runId).where('step_id', '=', stepId).where('status', 'in', [StepStatus.waiting, StepStatus.running]).execute();
  }
  await conn.updateTable('runs').set({ claim_at: now }).where('id', '=', runId).where('status', '=', RunStatus.waiting).execute();
}

/**
 * Unfinished child runs that a step of one of these runs waited for (`run_automation` with
 * `wait: true`: its step has not succeeded; a canceled run's open steps end `canceled`). A
 * `wait: false` child's step succeeded at once, so that child is independent of its parent.
 */
export async function childrenWaitedFor(conn: Conn, runIds: string | string[], opts: { notYetAsked?: boolean } = {}): Promise<string[]> {
  const parents = typeof runIds === 'string' ? [runIds] : runIds;
  if (parents.length === 0) return [];
  let q = conn
    .selectFrom('runs')
    .innerJoin('steps', (j) => j.onRef('steps.run_id', '=', 'runs.parent_run_id').onRef('steps.step_id', '=', 'runs.parent_step_id'))
    .select('runs.id')
    .where('runs.parent_run_id', 'in', parents)
    .where('runs.status', 'in', UNFINISHED_RUN_STATUSES)
    .where('steps.status', 'not in', [StepStatus.succeeded, StepStatus.skipped]);
  if (opts.notYetAsked) q = q.where('runs.cancel_requested', '=', 0);
  return (await q.execute()).map((r) => r.id);
}

/**
 * The cancel cascade, in the transaction that ends these runs `canceled`: each child they wait
 * for gets `cancel_requested` (and a `run.cancel_requested` entry), and the ones not running are
 * claimable now, so a worker ends them `canceled` (and they, in turn, their own children). Being
 * in the parent's commit, a crash right after it cannot leave a waited-for child running.
 */
export async function requestCancelOfChildren(conn: Conn, runIds: string[], now: number): Promise<string[]> {
  const children = await childrenWaitedFor(conn, runIds, { notYetAsked: true });
  if (children.length === 0) return [];
  for (const id of children) {
    await appendRunEvents(conn, id, [{ type: RunEventType.run_cancel_requested, data: { reason: 'parent_canceled' }, key: RunEventType.run_cancel_requested }], now, { cancel_requested: 1 });
  }
  await conn.updateTable('runs').set({ claim_at: now }).where('id', 'in', children).where('status', '!=', RunStatus.running).execute();
  return children;
}

/** Ends every step of a run that has not ended (`pending`, `waiting`, `running`) as `canceled`. */
export async function cancelOpenSteps(conn: Conn, runId: string, now: number): Promise<void> {
  await conn
    .updateTable('steps')
    .set({ status: StepStatus.canceled, ended_at: now, wake_at: null, waiting_for: null })
    .where('run_id', '=', runId)
    .where('status', 'in', [StepStatus.pending, StepStatus.waiting, StepStatus.running])
    .execute();
}

export interface RunListQuery {
  automation?: string;
  status?: RunStatus[];
  trigger_id?: string;
  since?: number;
  until?: number;
  /** substring of the stored error, ignoring case (SQLite: of ASCII letters only); `%`, `_` and `\` are literal */
  error_text?: string;
  /** ids below this one (keyset pagination, newest first) */
  before?: string | null;
  limit: number;
}

/** The filters of a run list (and of a bulk action over it), without the paging. */
export type RunFilter = Omit<RunListQuery, 'before' | 'limit'>;

/** A workspace's runs that match `f` (the one place the filters become SQL). */
export function filteredRuns(conn: Conn, workspaceId: string, f: RunFilter) {
  let q = conn.selectFrom('runs').where('workspace_id', '=', workspaceId);
  if (f.automation) q = q.where('automation_name', '=', f.automation);
  if (f.status && f.status.length > 0) q = q.where('status', 'in', f.status);
  if (f.trigger_id) q = q.where('trigger_id', '=', f.trigger_id);
  if (f.since !== undefined) q = q.where('queued_at', '>=', f.since);
  if (f.until !== undefined) q = q.where('queued_at', '<', f.until);
  if (f.error_text) {
    // SQLite's LIKE has no escape character unless told (without ESCAPE, `\%` matched a backslash);
    // lower() on both sides: PostgreSQL's LIKE is case-sensitive, SQLite's is not (for ASCII)
    const pattern = `%${f.error_text.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    q = q.where(sql<boolean>`lower(error) like lower(${pattern}) escape '\\'`);
  }
  return q;
}

/** A workspace's runs, newest first, with the total that matches the filter. */
export async function listRuns(conn: Conn, workspaceId: string, f: RunListQuery): Promise<{ rows: RunRow[]; total: number }> {
  const q = filteredRuns(conn, workspaceId, f);
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  let page = q.selectAll().orderBy('id', 'desc').limit(f.limit);
  if (f.before) page = page.where('id', '<', f.before);
  return { rows: await page.execute(), total: Number(total.n) };
}

/**
 * Queued runs of an automation that was paused or archived are held: no claim time, so no node
 * starts them, until it is resumed ({@link releaseQueuedRuns}).
 */
export async function holdQueuedRuns(conn: Conn, automationId: string): Promise<void> {
  await conn.updateTable('runs').set({ claim_at: null }).where('automation_id', '=', automationId).where('status', '=', RunStatus.queued).execute();
}

/** Makes the held queued runs of a resumed automation claimable now. */
export async function releaseQueuedRuns(conn: Conn, automationId: string, now: number): Promise<void> {
  await conn.updateTable('runs').set({ claim_at: now }).where('automation_id', '=', automationId).where('status', '=', RunStatus.queued).where('claim_at', 'is', null).execute();
}
