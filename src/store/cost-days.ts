/**
 * Reads of the daily cost rollups for a workspace's costs (`GET /costs`): spend per UTC day,
 * automation and model, today's spend per automation as daily budgets count it, and the daily
 * budgets the automations' current definitions declare.
 */
import { sql } from 'kysely';
import { AutomationStatus } from '../states.js';
import type { Conn } from './connect.js';

export interface CostDayRow {
  /** days since the epoch (UTC) */
  day: number;
  automationId: string;
  /** null when the automation row is gone */
  automation: string | null;
  /** `provider:model`; '' for spending recorded before the rollup had a model */
  model: string;
  costUsd: number;
  tokens: number;
  calls: number;
}

/** A workspace's spend from UTC day `sinceDay` on, per day, automation and model (unordered). */
export async function costDays(conn: Conn, workspaceId: string, sinceDay: number): Promise<CostDayRow[]> {
  const rows = await conn
    .selectFrom('agent_cost_model_days as c')
    .leftJoin('automations as a', 'a.id', 'c.automation_id')
    .select(['c.day', 'c.automation_id', 'a.name', 'c.model', 'c.cost_usd', 'c.tokens', 'c.calls'])
    .where('c.workspace_id', '=', workspaceId)
    .where('c.day', '>=', sinceDay)
    .execute();
  return rows.map((r) => ({
    day: Number(r.day),
    automationId: r.automation_id,
    automation: r.name ?? null,
    model: r.model,
    costUsd: Number(r.cost_usd),
    tokens: Number(r.tokens),
    calls: Number(r.calls),
  }));
}

/**
 * Each automation's spend on UTC day `day`, from the rollup daily budgets read (so that what is
 * shown is what they enforce).
 */
export async function daySpendByAutomation(conn: Conn, workspaceId: string, day: number): Promise<Map<string, { costUsd: number; tokens: number }>> {
  const rows = await conn
    .selectFrom('agent_cost_days')
    .select(['automation_id', sql<number>`sum(cost_usd)`.as('cost'), sql<number>`sum(tokens)`.as('tokens')])
    .where('workspace_id', '=', workspaceId)
    .where('day', '=', day)
    .groupBy('automation_id')
    .execute();
  return new Map(rows.map((r) => [r.automation_id, { costUsd: Number(r.cost), tokens: Number(r.tokens) }]));
}

export interface AutomationDefinitionRow {
  id: string;
  name: string;
  status: AutomationStatus;
  /** JSON text of the latest version's definition */
  definition: string;
}

/** The workspace's automations that are not archived, with their latest definition. */
export async function currentDefinitions(conn: Conn, workspaceId: string): Promise<AutomationDefinitionRow[]> {
  return conn
    .selectFrom('automations as a')
    .innerJoin('automation_versions as v', (join) => join.onRef('v.automation_id', '=', 'a.id').onRef('v.version', '=', 'a.latest_version'))
    .select(['a.id', 'a.name', 'a.status', 'v.definition'])
    .where('a.workspace_id', '=', workspaceId)
    .where('a.status', '!=', AutomationStatus.archived)
    .orderBy('a.name')
    .execute();
}
