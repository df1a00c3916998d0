/**
 * Agent calls (the memo of an agent step and the cost ledger) and artifacts. Every function takes
 * the caller's connection; `recordAgentCall` is the one that must run in a transaction.
 */
import { sql, type Insertable } from 'kysely';
import type { Conn } from './connect.js';
import type { AgentCallTable, ArtifactTable } from './schema.js';
import { appendRunEvents, type NewRunEvent } from './runs.js';

export type AgentCallRow = AgentCallTable;
export type ArtifactRow = ArtifactTable;

const DAY_MS = 86_400_000;

export async function listAgentCalls(conn: Conn, runId: string, stepId?: string): Promise<AgentCallRow[]> {
  let q = conn.selectFrom('agent_calls').selectAll().where('run_id', '=', runId);
  if (stepId !== undefined) q = q.where('step_id', '=', stepId);
  return q.orderBy('step_id').orderBy('seq').execute();
}

/**
 * Inserts one call with its run event, and adds its cost and tokens to the run and the step.
 * Returns false (writing nothing) when the seq is taken: another executor of the same step (a
 * node that lost its lease) recorded first.
 */
export async function recordAgentCall(conn: Conn, row: Insertable<AgentCallTable>, event: NewRunEvent | null, now: number): Promise<boolean> {
  const inserted = await conn
    .insertInto('agent_calls')
    .values(row)
    .onConflict((oc) => oc.columns(['run_id', 'step_id', 'seq']).doNothing())
    .returning('seq')
    .executeTakeFirst();
  if (!inserted) return false;
  const cost = Number(row.cost_usd ?? 0);
  const tokens = Number(row.input_tokens ?? 0) + Number(row.output_tokens ?? 0);
  if (cost > 0 || tokens > 0) {
    await conn
      .updateTable('runs')
      .set({ cost_usd: sql<number>`cost_usd + ${cost}`, tokens: sql<number>`tokens + ${tokens}` })
      .where('id', '=', row.run_id)
      .execute();
  }
  if (row.kind === 'model') await addToCostDay(conn, row, cost, tokens);
  if (event) await appendRunEvents(conn, row.run_id, [event], now);
  if (cost > 0) {
    await conn
      .updateTable('steps')
      .set({ cost_usd: sql<number>`cost_usd + ${cost}` })
      .where('run_id', '=', row.run_id)
      .where('step_id', '=', row.step_id)
      .execute();
  }
  return true;
}

/** The call's day in the rollups, with and without its model (same transaction as the call: they never disagree). */
async function addToCostDay(conn: Conn, row: Insertable<AgentCallTable>, cost: number, tokens: number): Promise<void> {
  const day = Math.floor(Number(row.created_at) / DAY_MS);
  await conn
    .insertInto('agent_cost_days')
    .values({ workspace_id: row.workspace_id, automation_id: row.automation_id, day, cost_usd: cost, tokens, calls: 1 })
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'automation_id', 'day']).doUpdateSet({
        cost_usd: sql<number>`agent_cost_days.cost_usd + excluded.cost_usd`,
        tokens: sql<number>`agent_cost_days.tokens + excluded.tokens`,
        calls: sql<number>`agent_cost_days.calls + 1`,
      }),
    )
    .execute();
  await conn
    .insertInto('agent_cost_model_days')
    .values({ workspace_id: row.workspace_id, day, automation_id: row.automation_id, model: row.name, cost_usd: cost, tokens, calls: 1 })
    .onConflict((oc) =>
      oc.columns(['workspace_id', 'day', 'automation_id', 'model']).doUpdateSet({
        cost_usd: sql<number>`agent_cost_model_days.cost_usd + excluded.cost_usd`,
        tokens: sql<number>`agent_cost_model_days.tokens + excluded.tokens`,
        calls: sql<number>`agent_cost_model_days.calls + 1`,
      }),
    )
    .execute();
}

export interface Spent {
  costUsd: number;
  tokens: number;
}

/**
 * Cost and tokens of model calls made (successful or not) matching the scope since `since`. A run's
 * spending is read from its calls; an automation's or a workspace's from the daily rollup, which
 * outlives pruned runs: `since` is then taken from the start of its UTC day (callers pass one).
 */
export async function spentSince(
  conn: Conn,
  scope: { runId?: string; automationId?: string; workspaceId?: string },
  since: number,
): Promise<Spent> {
  if (scope.runId === undefined) {
    let q = conn
      .selectFrom('agent_cost_days')
      .select([sql<number>`coalesce(sum(cost_usd), 0)`.as('cost'), sql<number>`coalesce(sum(tokens), 0)`.as('tokens')])
      .where('day', '>=', Math.floor(since / DAY_MS));
    if (scope.automationId !== undefined) q = q.where('automation_id', '=', scope.automationId);
    if (scope.workspaceId !== undefined) q = q.where('workspace_id', '=', scope.workspaceId);
    const row = await q.executeTakeFirst();
    return { costUsd: Number(row?.cost ?? 0), tokens: Number(row?.tokens ?? 0) };
  }
  let q = conn
    .selectFrom('agent_calls')
    .select([
      sql<number>`coalesce(sum(cost_usd), 0)`.as('cost'),
      sql<number>`coalesce(sum(input_tokens + output_tokens), 0)`.as('tokens'),
    ])
    .where('kind', '=', 'model')
    .where('created_at', '>=', since)
    .where('run_id', '=', scope.runId);
  if (scope.automationId !== undefined) q = q.where('automation_id', '=', scope.automationId);
  if (scope.workspaceId !== undefined) q = q.where('workspace_id', '=', scope.workspaceId);
  const row = await q.executeTakeFirst();
  return { costUsd: Number(row?.cost ?? 0), tokens: Number(row?.tokens ?? 0) };
}

/** Inserts an artifact unless one exists at its position (a replay); returns the stored one. */
export async function saveArtifact(conn: Conn, row: Insertable<ArtifactTable>): Promise<ArtifactRow> {
  await conn
    .insertInto('artifacts')
    .values(row)
    .onConflict((oc) => oc.columns(['run_id', 'step_id', 'position']).doNothing())
    .execute();
  return conn
    .selectFrom('artifacts')
    .selectAll()
    .where('run_id', '=', row.run_id)
    .where('step_id', '=', row.step_id)
    .where('position', '=', row.position)
    .executeTakeFirstOrThrow();
}

export async function listArtifacts(conn: Conn, runId: string): Promise<ArtifactRow[]> {
  return conn.selectFrom('artifacts').selectAll().where('run_id', '=', runId).orderBy('step_id').orderBy('position').execute();
}

export interface DailySpend {
  /** days since the epoch (UTC) */
  day: number;
  costUsd: number;
  tokens: number;
  calls: number;
}

/** An automation's model calls from the UTC day of `since` on, per UTC day (unordered), from the rollup. */
export async function dailySpend(conn: Conn, automationId: string, since: number): Promise<DailySpend[]> {
  const rows = await conn
    .selectFrom('agent_cost_days')
    .select(['day', sql<number>`sum(cost_usd)`.as('cost'), sql<number>`sum(tokens)`.as('tokens'), sql<number>`sum(calls)`.as('calls')])
    .where('automation_id', '=', automationId)
    .where('day', '>=', Math.floor(since / DAY_MS))
    .groupBy('day')
    .execute();
  return rows.map((r) => ({ day: Number(r.day), costUsd: Number(r.cost), tokens: Number(r.tokens), calls: Number(r.calls) }));
}
