/**
 * Daily agent budgets of an automation at admission: a fire whose automation has spent its day is
 * recorded `skipped` (reason `budget`) and a manual start is refused (429 until midnight UTC); the
 * agent's gate (agent/agent-loop.ts) checks each model call against the same limit.
 */
import type { BudgetLimit } from '../config/types.js';
import { spentSince, type Spent } from '../store/agent-calls.js';
import type { Conn } from '../store/connect.js';
import type { Definition } from '../definition/types.js';

/**
 * An automation's daily limit: the node's `budgets.automationPerDay` and the definition's
 * `execution.budget.per_day`, the stricter of each field (either may be absent).
 */
export function automationDayLimit(node: BudgetLimit | null, perDay: { max_cost_usd?: number; max_tokens?: number } | undefined): BudgetLimit | null {
  const min = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
  const maxCostUsd = min(node?.maxCostUsd, perDay?.max_cost_usd);
  const maxTokens = min(node?.maxTokens, perDay?.max_tokens);
  if (maxCostUsd === undefined && maxTokens === undefined) return null;
  return { ...(maxCostUsd === undefined ? {} : { maxCostUsd }), ...(maxTokens === undefined ? {} : { maxTokens }) };
}

/** A daily limit already used up (no worst case: nothing more may start today). */
export function daySpent(limit: BudgetLimit, spent: Spent): string | null {
  if (limit.maxTokens !== undefined && spent.tokens >= limit.maxTokens) return `${spent.tokens} tokens spent today of a daily budget of ${limit.maxTokens}`;
  if (limit.maxCostUsd !== undefined && spent.costUsd >= limit.maxCostUsd - 1e-12) return `$${spent.costUsd.toFixed(6)} spent today of a daily budget of $${limit.maxCostUsd}`;
  return null;
}

/** Midnight UTC of the day containing `now`: daily budgets count from there. */
export function startOfUtcDay(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** Why the automation may start nothing more today, or null. One query, only when it has a limit. */
export async function dailyBudgetSpent(conn: Conn, node: BudgetLimit | null, automationId: string, definition: Definition, now: number): Promise<{ message: string; limit: BudgetLimit; spent: Spent } | null> {
  const limit = automationDayLimit(node, definition.execution?.budget?.per_day);
  if (!limit) return null;
  const spent = await spentSince(conn, { automationId }, startOfUtcDay(now));
  const message = daySpent(limit, spent);
  return message ? { message, limit, spent } : null;
}
