/** Cost and token totals of an automation's agent model calls (from the ledger), overall and per UTC day. */
import { sql } from 'kysely';
import { NotFoundError } from '../errors.js';
import type { Store } from '../store/connect.js';
import { findAutomation } from '../store/automations.js';

export interface CostTotals {
  automation: string;
  since: string;
  cost_usd: number;
  tokens: number;
  model_calls: number;
  /** newest first */
  days: { day: string; cost_usd: number; tokens: number; model_calls: number }[];
}

const DAY_MS = 86_400_000;

export async function automationCosts(store: Store, workspaceId: string, name: string, since: number): Promise<CostTotals> {
  const automation = await findAutomation(store.db, workspaceId, name);
  if (!automation) throw new NotFoundError(`automation "${name}" not found`);
  const rows = await store.db
    .selectFrom('agent_calls')
    .select([
      sql<number>`floor(created_at / ${sql.lit(DAY_MS)})`.as('day'),
      sql<number>`coalesce(sum(cost_usd), 0)`.as('cost'),
      sql<number>`coalesce(sum(input_tokens + output_tokens), 0)`.as('tokens'),
      sql<number>`count(*)`.as('calls'),
    ])
    .where('automation_id', '=', automation.id)
    .where('kind', '=', 'model')
    .where('created_at', '>=', since)
    .groupBy(sql`floor(created_at / ${sql.lit(DAY_MS)})`)
    .execute();
  const days = rows
    .map((r) => ({ day: new Date(Number(r.day) * DAY_MS).toISOString().slice(0, 10), cost_usd: Number(r.cost), tokens: Number(r.tokens), model_calls: Number(r.calls) }))
    .sort((a, b) => b.day.localeCompare(a.day));
  return {
    automation: name,
    since: new Date(since).toISOString(),
    cost_usd: days.reduce((s, d) => s + d.cost_usd, 0),
    tokens: days.reduce((s, d) => s + d.tokens, 0),
    model_calls: days.reduce((s, d) => s + d.model_calls, 0),
    days,
  };
}
