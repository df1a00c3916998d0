/**
 * Batched persistence of many runs' state changes in one transaction (the engine's hot path).
 * One statement per kind of change for the whole batch instead of several per run: a 3-step run
 * made ~14 single-row statements for its steps; in a batch of 200 runs they become 3 (runs bump,
 * events insert, steps upsert) plus one fenced update per run that changes run-level fields.
 */
import { RunStatus, StepStatus } from '../states.js';
import { sql, type Updateable } from 'kysely';
import type { Conn } from './connect.js';
import type { RunTable, StepTable } from './schema.js';
import { requestCancelOfChildren, wakeQueued, wakeQueuedInWorkspace, wakeRun, type NewRunEvent } from './runs.js';

export interface RunFlush {
  runId: string;
  /** the lease holder; nothing is written for this run unless it still holds the lease */
  owner: string;
  events: NewRunEvent[];
  /** full rows of the steps that changed */
  steps: StepTable[];
  /** run-level changes (status, output, lease release, ...); empty for a plain step transition */
  patch: Updateable<RunTable>;
  wakeParent: { runId: string; stepId: string | null } | null;
  wakeQueuedOf: string | null;
  /** a run ended under a workspace concurrency cap: that workspace's held-back runs may start */
  wakeWorkspaceOf?: string | null;
  /** the run ended succeeded (resets its automation's failure count) or failed/timed out (adds one); canceled: null */
  ended?: { automationId: string; failed: boolean } | null;
}

/** `consecutiveFailures`: the automation's count after this run ended failed or timed out. */
/** `costUsd`: the run's cost as committed, returned only for flushes that changed run-level fields. */
export type RunFlushResult = { lastSeq: number; cancelRequested: boolean; consecutiveFailures?: number; costUsd?: number } | null;

const EVENT_CHUNK = 500;
const STEP_CHUNK = 100;

export async function applyRunFlushes(conn: Conn, flushes: RunFlush[], now: number): Promise<RunFlushResult[]> {
  const results: RunFlushResult[] = new Array(flushes.length).fill(null);
  const plain: number[] = [];
  for (let i = 0; i < flushes.length; i++) {
    const f = flushes[i];
    if (Object.keys(f.patch).length === 0) {
      plain.push(i);
      continue;
    }
    const row = await conn
      .updateTable('runs')
      .set({ ...f.patch, event_seq: sql`event_seq + ${f.events.length}`, updated_at: now })
      .where('id', '=', f.runId)
      .where('lease_owner', '=', f.owner)
      .returning(['event_seq', 'cancel_requested', 'cost_usd'])
      .executeTakeFirst();
    results[i] = row ? { lastSeq: Number(row.event_seq), cancelRequested: row.cancel_requested === 1, costUsd: Number(row.cost_usd) } : null;
  }
  await bumpPlain(conn, flushes, plain, results, now);

  const events: Record<string, unknown>[] = [];
  const steps: StepTable[] = [];
  for (let i = 0; i < flushes.length; i++) {
    const res = results[i];
    if (!res) continue;
    const f = flushes[i];
    const first = res.lastSeq - f.events.length + 1;
    f.events.forEach((e, k) =>
      events.push({
        run_id: f.runId,
        seq: first + k,
        type: e.type,
        step_id: e.step_id ?? null,
        data: e.data === undefined ? null : JSON.stringify(e.data),
        idempotency_key: e.key,
        created_at: now,
      }),
    );
    steps.push(...f.steps);
  }
  for (let i = 0; i < events.length; i += EVENT_CHUNK) {
    await conn
      .insertInto('run_events')
      .values(events.slice(i, i + EVENT_CHUNK) as never)
      .onConflict((oc) => oc.columns(['run_id', 'idempotency_key']).doNothing())
      .execute();
  }
  for (let i = 0; i < steps.length; i += STEP_CHUNK) await upsertSteps(conn, steps.slice(i, i + STEP_CHUNK));
  for (let i = 0; i < flushes.length; i++) {
    if (results[i] && flushes[i].patch.status === RunStatus.waiting) await claimAtEarliestWake(conn, flushes[i].runId, now);
  }
  for (let i = 0; i < flushes.length; i++) {
    const f = flushes[i];
    if (!results[i]) continue;
    if (f.wakeParent) await wakeRun(conn, f.wakeParent.runId, f.wakeParent.stepId, now);
    if (f.wakeQueuedOf) await wakeQueued(conn, f.wakeQueuedOf, now);
  }
  for (const ws of new Set(flushes.filter((f, i) => results[i] && f.wakeWorkspaceOf).map((f) => f.wakeWorkspaceOf!))) await wakeQueuedInWorkspace(conn, ws, now);
  // rare (a cancel): one query for the batch's canceled runs, none when there are none
  const canceled = flushes.filter((f, i) => results[i] && f.patch.status === RunStatus.canceled).map((f) => f.runId);
  if (canceled.length > 0) await requestCancelOfChildren(conn, canceled, now);
  await countEndings(conn, flushes, results);
  return results;
}

/**
 * The circuit breaker's count, in the transaction that ends the runs: one statement for the whole
 * batch. Per automation, a success in the batch resets the count to the failures after the last
 * success; otherwise the batch's failures are added.
 */
async function countEndings(conn: Conn, flushes: RunFlush[], results: RunFlushResult[]): Promise<void> {
  const byAutomation = new Map<string, { reset: boolean; failures: number; failed: number[] }>();
  for (const [i, f] of flushes.entries()) {
    if (!f.ended || !results[i]) continue;
    const entry = byAutomation.get(f.ended.automationId) ?? { reset: false, failures: 0, failed: [] };
    if (f.ended.failed) {
      entry.failures += 1;
      entry.failed.push(i);
    } else {
      Object.assign(entry, { reset: true, failures: 0, failed: [] });
    }
    byAutomation.set(f.ended.automationId, entry);
  }
  if (byAutomation.size === 0) return;
  const values = sql.join([...byAutomation].map(([id, e]) => sql`(${id}, CAST(${e.reset ? 1 : 0} AS INTEGER), CAST(${e.failures} AS INTEGER))`));
  const { rows } = await sql<{ id: string; consecutive_failures: number }>`
    UPDATE automations SET consecutive_failures = CASE WHEN v.column2 = 1 THEN v.column3 ELSE automations.consecutive_failures + v.column3 END
    FROM (VALUES ${values}) AS v
    WHERE automations.id = v.column1
    RETURNING automations.id, automations.consecutive_failures`.execute(conn);
  for (const row of rows) {
    for (const i of byAutomation.get(row.id)!.failed) results[i] = { ...results[i]!, consecutiveFailures: Number(row.consecutive_failures) };
  }
}

/** One fenced `UPDATE ... FROM (VALUES ...)` for every run whose only change is new events. */
async function bumpPlain(conn: Conn, flushes: RunFlush[], indexes: number[], results: RunFlushResult[], now: number): Promise<void> {
  const byOwner = new Map<string, number[]>();
  for (const i of indexes) byOwner.set(flushes[i].owner, [...(byOwner.get(flushes[i].owner) ?? []), i]);
  for (const [owner, group] of byOwner) {
    const values = sql.join(group.map((i) => sql`(${flushes[i].runId}, CAST(${flushes[i].events.length} AS INTEGER))`));
    const { rows } = await sql<{ id: string; event_seq: number; cancel_requested: number }>`
      UPDATE runs SET event_seq = runs.event_seq + v.column2, updated_at = ${now}
      FROM (VALUES ${values}) AS v
      WHERE runs.id = v.column1 AND runs.lease_owner = ${owner}
      RETURNING runs.id, runs.event_seq, runs.cancel_requested`.execute(conn);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const i of group) {
      const row = byId.get(flushes[i].runId);
      results[i] = row ? { lastSeq: Number(row.event_seq), cancelRequested: Number(row.cancel_requested) === 1 } : null;
    }
  }
}

/** cost_usd and external_ref are written by other paths (ledger, agents), never by the executor. */
async function upsertSteps(conn: Conn, rows: StepTable[]): Promise<void> {
  await conn
    .insertInto('steps')
    .values(rows)
    .onConflict((oc) =>
      oc.columns(['run_id', 'step_id']).doUpdateSet((eb) => ({
        status: eb.ref('excluded.status'),
        // a plan joining the run renumbers the steps after its planner
        idx: eb.ref('excluded.idx'),
        attempt: eb.ref('excluded.attempt'),
        started_at: eb.ref('excluded.started_at'),
        ended_at: eb.ref('excluded.ended_at'),
        input: eb.ref('excluded.input'),
        output: eb.ref('excluded.output'),
        error: eb.ref('excluded.error'),
        logs: eb.ref('excluded.logs'),
        state: eb.ref('excluded.state'),
        // A wake written by someone else while the step was running (a decision, a matched
        // event, a finished child) is earlier than the suspension's own: it is kept.
        wake_at: sql`CASE WHEN excluded.status = ${sql.lit(StepStatus.waiting)} AND steps.wake_at IS NOT NULL AND (excluded.wake_at IS NULL OR steps.wake_at < excluded.wake_at) THEN steps.wake_at ELSE excluded.wake_at END`,
        waiting_for: eb.ref('excluded.waiting_for'),
      })),
    )
    .execute();
}

/**
 * A run that just started waiting is claimable at the earliest wake of its waiting steps, or at
 * once when a cancel was requested while it was still running: the cancel saw `running` and only
 * asked, and the run must be claimed to end `canceled` (with an approval wait it would otherwise
 * never be claimed).
 */
async function claimAtEarliestWake(conn: Conn, runId: string, now: number): Promise<void> {
  const wake = sql<number | null>`(SELECT MIN(wake_at) FROM steps WHERE steps.run_id = ${runId} AND steps.status = ${sql.lit(StepStatus.waiting)})`;
  await conn
    .updateTable('runs')
    .set({ claim_at: sql`CASE WHEN cancel_requested = 1 THEN ${now} WHEN ${wake} IS NOT NULL AND (claim_at IS NULL OR ${wake} < claim_at) THEN ${wake} ELSE claim_at END` })
    .where('id', '=', runId)
    .where('status', '=', RunStatus.waiting)
    .execute();
}
