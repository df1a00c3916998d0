/** Cost and token totals of an automation's agent model calls (from the ledger), overall and per UTC day. */
import { NotFoundError } from '../errors.js';
import type { Store } from '../store/connect.js';
import { findAutomation } from '../store/automations.js';
import { dailySpend } from '../store/agent-calls.js';

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
  const days = (await dailySpend(store.db, automation.id, since))
    .map((r) => ({ day: new Date(r.day * DAY_MS).toISOString().slice(0, 10), cost_usd: r.costUsd, tokens: r.tokens, model_calls: r.calls }))
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
