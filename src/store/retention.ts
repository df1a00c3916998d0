/**
 * Retention: which terminal runs a policy lets go, deleting them with every row keyed by their id,
 * the bounded sweeps of published events and webhook deliveries, the lock that lets one
 * PostgreSQL node sweep at a time, and SQLite's incremental vacuum. The loop that decides when and
 * how much is `engine/retention-sweeper.ts`.
 *
 * The candidate scan is per automation over `runs_retention` (automation_id, ended_at, id): the
 * `max_runs` boundary is the N-th newest terminal run (an index walk of N entries), and the batch
 * is the oldest eligible runs in index order, so a batch costs its own size, not the table's.
 */
import { sql, type ExpressionBuilder } from 'kysely';
import { RunStatus, TERMINAL_RUN_STATUSES } from '../states.js';
import type { Conn } from './connect.js';
import { lockForClaim, type Dialect } from './dialect.js';
import type { DB, RunTable } from './schema.js';

/** A resolved policy: every duration in ms; 0 disables that limit; keepFailedMs null: failed runs go by maxAgeMs. */
export interface RetentionPolicy {
  maxAgeMs: number;
  maxRuns: number;
  keepFailedMs: number | null;
}

export const PruneReason = { age: 'age', count: 'count', keep_failed: 'keep_failed' } as const;
export type PruneReason = (typeof PruneReason)[keyof typeof PruneReason];

export interface PruneCandidate {
  id: string;
  status: RunStatus;
  ended_at: number;
  reason: PruneReason;
}

/** Every table holding rows of a run (by `run_id`); deleted before the run row itself. */
export const RUN_TABLES = ['steps', 'run_events', 'agent_calls', 'artifacts', 'approvals', 'event_waits', 'delegations'] as const;
export type RunTableName = (typeof RUN_TABLES)[number] | 'runs';

const FAILED = new Set<string>([RunStatus.failed, RunStatus.timed_out]);
const SWEEP_LOCK = 7307052;

/** The newest `maxRuns`-th terminal run of the automation: runs ending before it are beyond the count. */
async function countBoundary(conn: Conn, automationId: string, maxRuns: number): Promise<{ ended_at: number; id: string } | null> {
  if (maxRuns <= 0) return null;
  const row = await conn
    .selectFrom('runs')
    .select(['ended_at', 'id'])
    .where('automation_id', '=', automationId)
    .where('ended_at', 'is not', null)
    .where('status', 'in', TERMINAL_RUN_STATUSES)
    .orderBy('ended_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .offset(maxRuns - 1)
    .executeTakeFirst();
  return row ? { ended_at: Number(row.ended_at), id: row.id } : null;
}

function ageCuts(policy: RetentionPolicy, now: number): { other: number | null; failed: number | null } {
  const failedAge = policy.keepFailedMs ?? policy.maxAgeMs;
  return { other: policy.maxAgeMs > 0 ? now - policy.maxAgeMs : null, failed: failedAge > 0 ? now - failedAge : null };
}

/** Why a run that is beyond the policy goes (age first: it would go by age alone). */
export function pruneReason(policy: RetentionPolicy, status: string, endedAt: number, now: number): PruneReason {
  const cuts = ageCuts(policy, now);
  if (FAILED.has(status)) {
    if (cuts.failed !== null && endedAt < cuts.failed) return policy.keepFailedMs !== null ? PruneReason.keep_failed : PruneReason.age;
  } else if (cuts.other !== null && endedAt < cuts.other) {
    return PruneReason.age;
  }
  return PruneReason.count;
}

type RunsEb = ExpressionBuilder<DB & { r: RunTable }, 'r'>;

/** Terminal runs of the automation beyond the policy (age or count), held-back rules not applied. */
async function beyondPolicy(conn: Conn, automationId: string, policy: RetentionPolicy, now: number) {
  const boundary = await countBoundary(conn, automationId, policy.maxRuns);
  const cuts = ageCuts(policy, now);
  const failed = [RunStatus.failed, RunStatus.timed_out];
  const others = TERMINAL_RUN_STATUSES.filter((s) => !FAILED.has(s));
  if (!boundary && cuts.other === null && cuts.failed === null) return null;
  return conn
    .selectFrom('runs as r')
    .where('r.automation_id', '=', automationId)
    .where('r.ended_at', 'is not', null)
    .where('r.status', 'in', TERMINAL_RUN_STATUSES)
    .where((eb: RunsEb) => {
      const any = [];
      if (cuts.other !== null) any.push(eb.and([eb('r.status', 'in', others), eb('r.ended_at', '<', cuts.other)]));
      if (cuts.failed !== null) any.push(eb.and([eb('r.status', 'in', failed), eb('r.ended_at', '<', cuts.failed)]));
      if (boundary) any.push(eb.or([eb('r.ended_at', '<', boundary.ended_at), eb.and([eb('r.ended_at', '=', boundary.ended_at), eb('r.id', '<', boundary.id)])]));
      return eb.or(any);
    });
}

const parentKept = (eb: RunsEb) => eb.exists(eb.selectFrom('runs as p').select('p.id').whereRef('p.id', '=', 'r.parent_run_id'));

/**
 * The oldest `limit` runs of the automation the policy lets go now: terminal, beyond its age or
 * count, not pinned, and not the child of a parent still in the database. PostgreSQL: locked
 * (SKIP LOCKED) until the caller's transaction ends, so a pin or a second sweeper waits or skips.
 */
export async function selectPrunable(conn: Conn, dialect: Dialect, automationId: string, policy: RetentionPolicy, now: number, limit: number): Promise<PruneCandidate[]> {
  const base = await beyondPolicy(conn, automationId, policy, now);
  if (!base) return [];
  const q = base
    .select(['r.id', 'r.status', 'r.ended_at'])
    .where('r.pinned', '=', 0)
    .where((eb: RunsEb) => eb.or([eb('r.parent_run_id', 'is', null), eb.not(parentKept(eb))]))
    .orderBy('r.ended_at')
    .orderBy('r.id')
    .limit(limit);
  const rows = await lockForClaim(q, dialect).execute();
  return rows.map((r) => ({ id: r.id, status: r.status, ended_at: Number(r.ended_at), reason: pruneReason(policy, r.status, Number(r.ended_at), now) }));
}

export interface PrunePreview {
  prunable: Record<PruneReason, number>;
  held: { pinned: number; children: number; active: number };
}

/** What the next sweep would do with the automation's runs, without deleting anything. */
export async function previewPrune(conn: Conn, automationId: string, policy: RetentionPolicy, now: number): Promise<PrunePreview> {
  const out: PrunePreview = { prunable: { age: 0, count: 0, keep_failed: 0 }, held: { pinned: 0, children: 0, active: 0 } };
  const active = await conn
    .selectFrom('runs')
    .select(sql<number>`count(*)`.as('n'))
    .where('automation_id', '=', automationId)
    .where('status', 'in', [RunStatus.queued, RunStatus.running, RunStatus.waiting])
    .executeTakeFirst();
  out.held.active = Number(active?.n ?? 0);
  const base = await beyondPolicy(conn, automationId, policy, now);
  if (!base) return out;
  // counted in SQL, one row per outcome: the preview of a million old runs reads no run into memory
  const cuts = ageCuts(policy, now);
  const failedReason = policy.keepFailedMs !== null ? PruneReason.keep_failed : PruneReason.age;
  const failed = [RunStatus.failed, RunStatus.timed_out];
  const others = TERMINAL_RUN_STATUSES.filter((st) => !FAILED.has(st));
  const rows = await base
    .select((eb: RunsEb) => {
      let c = eb.case().when('r.pinned', '=', 1).then('pinned').when(eb.and([eb('r.parent_run_id', 'is not', null), parentKept(eb)])).then('children');
      if (cuts.failed !== null) c = c.when(eb.and([eb('r.status', 'in', failed), eb('r.ended_at', '<', cuts.failed)])).then(failedReason);
      if (cuts.other !== null) c = c.when(eb.and([eb('r.status', 'in', others), eb('r.ended_at', '<', cuts.other)])).then(PruneReason.age);
      return c.else(PruneReason.count).end().as('outcome');
    })
    .select(sql<number>`count(*)`.as('n'))
    .groupBy('outcome')
    .execute();
  for (const r of rows) {
    const n = Number(r.n);
    if (r.outcome === 'pinned') out.held.pinned += n;
    else if (r.outcome === 'children') out.held.children += n;
    else out.prunable[r.outcome as PruneReason] += n;
  }
  return out;
}

/** Deletes the runs and every row keyed by their ids; returns the rows deleted per table. */
export async function deleteRuns(conn: Conn, ids: string[]): Promise<Record<RunTableName, number>> {
  const counts = {} as Record<RunTableName, number>;
  if (ids.length === 0) return counts;
  for (const table of RUN_TABLES) {
    const res = await conn.deleteFrom(table).where('run_id', 'in', ids).executeTakeFirst();
    counts[table] = Number(res.numDeletedRows);
  }
  const res = await conn.deleteFrom('runs').where('id', 'in', ids).executeTakeFirst();
  counts.runs = Number(res.numDeletedRows);
  return counts;
}

/** A run as archived: its row, steps, run log, agent calls (the cost ledger) and artifacts without content. */
export interface ArchivedRun {
  run: Record<string, unknown>;
  steps: Record<string, unknown>[];
  events: Record<string, unknown>[];
  agent_calls: Record<string, unknown>[];
  artifacts: Record<string, unknown>[];
}

export async function loadRunHistory(conn: Conn, ids: string[]): Promise<ArchivedRun[]> {
  if (ids.length === 0) return [];
  const [runs, steps, events, calls, artifacts] = await Promise.all([
    conn.selectFrom('runs').selectAll().where('id', 'in', ids).orderBy('id').execute(),
    conn.selectFrom('steps').selectAll().where('run_id', 'in', ids).orderBy('run_id').orderBy('idx').execute(),
    conn.selectFrom('run_events').selectAll().where('run_id', 'in', ids).orderBy('run_id').orderBy('seq').execute(),
    conn
      .selectFrom('agent_calls')
      .select(['run_id', 'step_id', 'seq', 'kind', 'name', 'status', 'input_tokens', 'output_tokens', 'cached_tokens', 'cost_usd', 'latency_ms', 'created_at'])
      .where('run_id', 'in', ids)
      .orderBy('run_id')
      .orderBy('seq')
      .execute(),
    conn.selectFrom('artifacts').select(['id', 'run_id', 'step_id', 'position', 'kind', 'valid', 'sha256', 'size_bytes', 'created_at']).where('run_id', 'in', ids).execute(),
  ]);
  const by = <T extends { run_id: string }>(rows: T[]) => {
    const map = new Map<string, Record<string, unknown>[]>();
    for (const { run_id, ...rest } of rows) {
      const list = map.get(run_id);
      if (list) list.push(rest);
      else map.set(run_id, [rest]);
    }
    return map;
  };
  const s = by(steps), e = by(events), c = by(calls), a = by(artifacts);
  return runs.map((run) => ({ run, steps: s.get(run.id) ?? [], events: e.get(run.id) ?? [], agent_calls: c.get(run.id) ?? [], artifacts: a.get(run.id) ?? [] }));
}

/** Published events older than `before` that every trigger has seen (undispatched ones stay), at most `limit`. */
export async function deleteOldEvents(conn: Conn, before: number, limit: number): Promise<number> {
  const ids = conn.selectFrom('events').select('id').where('created_at', '<', before).where('dispatched_at', 'is not', null).limit(limit);
  const res = await conn.deleteFrom('events').where('id', 'in', ids).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Webhook delivery log lines older than `before`, at most `limit`. */
export async function deleteOldDeliveries(conn: Conn, before: number, limit: number): Promise<number> {
  const ids = conn.selectFrom('webhook_deliveries').select('id').where('received_at', '<', before).limit(limit);
  const res = await conn.deleteFrom('webhook_deliveries').where('id', 'in', ids).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/**
 * PostgreSQL: one node sweeps at a time. A transaction-scoped advisory lock taken per batch
 * (`pg_try_advisory_xact_lock`): no lease to expire and no pooled connection held between
 * batches; a node that does not get it skips the batch. SQLite: one node per file, always true.
 */
export async function tryLockSweep(conn: Conn, dialect: Dialect): Promise<boolean> {
  if (dialect !== 'postgres') return true;
  const { rows } = await sql<{ ok: boolean }>`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK}) AS ok`.execute(conn);
  return rows[0]?.ok === true;
}

/** SQLite: the database's free pages (0 on PostgreSQL, whose autovacuum reuses space itself). */
export async function freePages(conn: Conn, dialect: Dialect): Promise<number> {
  if (dialect !== 'sqlite') return 0;
  const { rows } = await sql<{ freelist_count: number }>`PRAGMA freelist_count`.execute(conn);
  return Number(rows[0]?.freelist_count ?? 0);
}

/** SQLite: a PASSIVE checkpoint, so pages a vacuum freed leave the file now. */
export async function checkpoint(conn: Conn, dialect: Dialect): Promise<void> {
  if (dialect === 'sqlite') await sql.raw('PRAGMA wal_checkpoint(PASSIVE)').execute(conn);
}

/** Pins or unpins a run of the workspace (a pinned run is never pruned); false: no such run. */
export async function setRunPinned(conn: Conn, workspaceId: string, runId: string, pinned: boolean, now: number): Promise<boolean> {
  const res = await conn.updateTable('runs').set({ pinned: pinned ? 1 : 0, updated_at: now }).where('id', '=', runId).where('workspace_id', '=', workspaceId).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export interface RetainedAutomation {
  id: string;
  workspace_id: string;
  name: string;
  latest_version: number;
}

/** The automations whose runs a sweep looks at (all, or one workspace's, or one by name). */
export async function automationsToSweep(conn: Conn, filter: { workspaceId?: string; name?: string } = {}): Promise<RetainedAutomation[]> {
  let q = conn.selectFrom('automations').select(['id', 'workspace_id', 'name', 'latest_version']);
  if (filter.workspaceId !== undefined) q = q.where('workspace_id', '=', filter.workspaceId);
  if (filter.name !== undefined) q = q.where('name', '=', filter.name);
  return q.orderBy('id').execute();
}
