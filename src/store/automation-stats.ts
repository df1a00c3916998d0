/**
 * What the automations list shows per row (recent outcomes, open runs, today's spend), for a page
 * of automations in four statements whatever the page size — never one query per row:
 *
 * - the automations by name (`automations` unique on workspace and name);
 * - the last `perAutomation` ended runs of each, as one UNION ALL of per-automation
 *   `ORDER BY ended_at DESC LIMIT n` scans of `runs_retention (automation_id, ended_at, id)` —
 *   each reads n index entries however long the history (a window function over the same rows
 *   would rank every ended run the automations ever had);
 * - the open runs per automation and status, a grouped count over `runs_automation_status`
 *   (bounded by the backlog, not the history);
 * - today's row of the cost rollup `agent_cost_days`.
 */
import { sql } from 'kysely';
import { RunStatus } from '../states.js';
import type { Conn } from './connect.js';

const DAY_MS = 86_400_000;

export interface NamedAutomation {
  id: string;
  name: string;
}

export async function automationsByName(conn: Conn, workspaceId: string, names: string[]): Promise<NamedAutomation[]> {
  if (names.length === 0) return [];
  return conn.selectFrom('automations').select(['id', 'name']).where('workspace_id', '=', workspaceId).where('name', 'in', names).execute();
}

export interface EndedRunRow {
  automation_id: string;
  id: string;
  status: RunStatus;
  ended_at: number;
}

/** The last `perAutomation` ended runs of each automation, newest first within each. */
export async function recentEndedRuns(conn: Conn, automationIds: string[], perAutomation: number): Promise<EndedRunRow[]> {
  if (automationIds.length === 0) return [];
  const rows = await recentEndedRunsQuery(conn, automationIds, perAutomation).execute();
  return rows.map((r) => ({ automation_id: r.automation_id, id: r.id, status: r.status, ended_at: Number(r.ended_at) }));
}

/** The statement of {@link recentEndedRuns} (its plan is tested: an index search per automation, no sort). */
export function recentEndedRunsQuery(conn: Conn, automationIds: string[], perAutomation: number) {
  // Each member is a derived table: SQLite allows ORDER BY / LIMIT only on a whole compound
  // select, not on its members. `ended_at is not null` is written as the partial index's own term.
  const member = (automationId: string, i: number) =>
    conn
      .selectFrom((eb) =>
        eb
          .selectFrom('runs')
          .select(['automation_id', 'id', 'status', 'ended_at'])
          .where('automation_id', '=', automationId)
          .where(sql<boolean>`ended_at is not null`)
          .orderBy('ended_at', 'desc')
          .orderBy('id', 'desc')
          .limit(perAutomation)
          .as(`r${i}`),
      )
      .selectAll();
  let query = member(automationIds[0]!, 0);
  for (let i = 1; i < automationIds.length; i++) query = query.unionAll(member(automationIds[i]!, i));
  return query;
}

export interface OpenRunCount {
  automation_id: string;
  status: RunStatus;
  n: number;
}

/** Queued, running and waiting runs per automation. */
export async function openRunCounts(conn: Conn, automationIds: string[]): Promise<OpenRunCount[]> {
  if (automationIds.length === 0) return [];
  const rows = await conn
    .selectFrom('runs')
    .select(['automation_id', 'status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('automation_id', 'in', automationIds)
    .where('status', 'in', [RunStatus.queued, RunStatus.running, RunStatus.waiting])
    .groupBy(['automation_id', 'status'])
    .execute();
  return rows.map((r) => ({ automation_id: r.automation_id, status: r.status, n: Number(r.n) }));
}

export interface DaySpend {
  automation_id: string;
  cost_usd: number;
  tokens: number;
}

/** Agent spending of each automation on the UTC day holding `at` (absent: nothing spent). */
export async function spendOnDay(conn: Conn, automationIds: string[], at: number): Promise<DaySpend[]> {
  if (automationIds.length === 0) return [];
  const rows = await conn
    .selectFrom('agent_cost_days')
    .select(['automation_id', sql<number>`sum(cost_usd)`.as('cost'), sql<number>`sum(tokens)`.as('tokens')])
    .where('automation_id', 'in', automationIds)
    .where('day', '=', Math.floor(at / DAY_MS))
    .groupBy('automation_id')
    .execute();
  return rows.map((r) => ({ automation_id: r.automation_id, cost_usd: Number(r.cost), tokens: Number(r.tokens) }));
}
