/**
 * A workspace's agent spend (`GET /costs`): per UTC day, automation and model from the rollup
 * (it outlives pruned runs), with totals, and the daily budgets against today's spend as they are
 * enforced: the node's `budgets.workspace_per_day`, and per automation the stricter of the node's
 * `budgets.automation_per_day` and the definition's `execution.budget.per_day`.
 */
import type { BudgetLimit } from '../config/types.js';
import type { Definition } from '../definition/types.js';
import { automationDayLimit, daySpent, startOfUtcDay } from '../engine/daily-budget.js';
import { spentSince } from '../store/agent-calls.js';
import type { Store } from '../store/connect.js';
import { costDays, currentDefinitions, daySpendByAutomation } from '../store/cost-days.js';
import type { AutomationStatus } from '../states.js';

/** A daily limit; a field is null when it does not limit. */
export interface CostLimit {
  max_cost_usd: number | null;
  max_tokens: number | null;
}

export interface CostAmount {
  cost_usd: number;
  tokens: number;
  /** model calls */
  calls: number;
}

export interface CostEntry extends CostAmount {
  /** UTC day, `YYYY-MM-DD` */
  day: string;
  automation: string;
  /** `provider:model`; null for spending of runs pruned before costs were kept by model */
  model: string | null;
}

export interface BudgetState {
  /** null: no daily limit */
  limit: CostLimit | null;
  /** spent today (UTC) */
  spent: { cost_usd: number; tokens: number };
  /** the day's limit is used up: nothing more may start today */
  exhausted: boolean;
}

export interface AutomationBudgetState extends BudgetState {
  automation: string;
  status: AutomationStatus;
  /** the definition's `execution.budget.per_day`; `limit` is the stricter of it and the node's */
  per_day: CostLimit | null;
}

export interface WorkspaceCosts {
  /** first UTC day counted and today, `YYYY-MM-DD` */
  since: string;
  today: string;
  days: number;
  totals: CostAmount;
  /** one per UTC day, automation and model with spend; oldest day first */
  entries: CostEntry[];
  budgets: {
    /** the node's default daily limit of every automation (`budgets.automation_per_day`) */
    automation_per_day: CostLimit | null;
    /** the node's `budgets.workspace_per_day` against the workspace's spend today */
    workspace: BudgetState;
    /** automations with a daily limit or with spend today, by name */
    automations: AutomationBudgetState[];
  };
}

const DAY_MS = 86_400_000;

const dayText = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

function limitView(limit: BudgetLimit | null | undefined): CostLimit | null {
  if (!limit || (limit.maxCostUsd === undefined && limit.maxTokens === undefined)) return null;
  return { max_cost_usd: limit.maxCostUsd ?? null, max_tokens: limit.maxTokens ?? null };
}

function budgetState(limit: BudgetLimit | null, spent: { costUsd: number; tokens: number }): BudgetState {
  return {
    limit: limitView(limit),
    spent: { cost_usd: spent.costUsd, tokens: spent.tokens },
    exhausted: limit !== null && daySpent(limit, spent) !== null,
  };
}

function perDayOf(definitionJson: string): { max_cost_usd?: number; max_tokens?: number } | undefined {
  return (JSON.parse(definitionJson) as Definition).execution?.budget?.per_day;
}

/** `days` UTC days back, today included. */
export async function workspaceCosts(store: Store, budgets: { automationPerDay: BudgetLimit | null; workspacePerDay: BudgetLimit | null }, workspaceId: string, days: number, now: number): Promise<WorkspaceCosts> {
  const today = Math.floor(now / DAY_MS);
  const sinceDay = today - (days - 1);
  const [rows, todayByAutomation, definitions, workspaceSpent] = await Promise.all([
    costDays(store.db, workspaceId, sinceDay),
    daySpendByAutomation(store.db, workspaceId, today),
    currentDefinitions(store.db, workspaceId),
    spentSince(store.db, { workspaceId }, startOfUtcDay(now)),
  ]);
  const entries = rows
    .map((r) => ({ day: dayText(r.day), automation: r.automation ?? r.automationId, model: r.model === '' ? null : r.model, cost_usd: r.costUsd, tokens: r.tokens, calls: r.calls }))
    .sort((a, b) => a.day.localeCompare(b.day) || a.automation.localeCompare(b.automation) || (a.model ?? '').localeCompare(b.model ?? ''));
  const totals = entries.reduce((t, e) => ({ cost_usd: t.cost_usd + e.cost_usd, tokens: t.tokens + e.tokens, calls: t.calls + e.calls }), { cost_usd: 0, tokens: 0, calls: 0 });
  const automations: AutomationBudgetState[] = [];
  for (const a of definitions) {
    const perDay = perDayOf(a.definition);
    const limit = automationDayLimit(budgets.automationPerDay, perDay);
    const spent = todayByAutomation.get(a.id);
    if (!limit && !spent) continue;
    const perDayLimit = perDay ? limitView({ maxCostUsd: perDay.max_cost_usd, maxTokens: perDay.max_tokens }) : null;
    automations.push({ automation: a.name, status: a.status, per_day: perDayLimit, ...budgetState(limit, spent ?? { costUsd: 0, tokens: 0 }) });
  }
  return {
    since: dayText(sinceDay),
    today: dayText(today),
    days,
    totals,
    entries,
    budgets: {
      automation_per_day: limitView(budgets.automationPerDay),
      workspace: budgetState(budgets.workspacePerDay, workspaceSpent),
      automations,
    },
  };
}
