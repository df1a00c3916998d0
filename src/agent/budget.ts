/**
 * Budgets of agent model calls. Before each call the worst case (estimated input tokens plus the
 * full `max_tokens` of output, priced) is added to what each applicable scope has spent; a call
 * that could cross any limit is not made. Decide, then apply: `checkBudgets` is pure.
 */
import type { BudgetLimit } from '../config/types.js';
import type { Spent } from '../store/agent-calls.js';

export type BudgetScope = 'run' | 'step' | 'automation_day' | 'workspace_day';

export interface ScopedBudget {
  scope: BudgetScope;
  limit: BudgetLimit;
  spent: Spent;
}

export interface WorstCase {
  costUsd: number;
  tokens: number;
}

export type BudgetDecision = { ok: true } | { ok: false; scope: BudgetScope; limit: BudgetLimit; spent: Spent; worstCase: WorstCase; reason: string };

export function checkBudgets(budgets: ScopedBudget[], worst: WorstCase): BudgetDecision {
  for (const b of budgets) {
    const { maxCostUsd, maxTokens } = b.limit;
    if (maxTokens !== undefined && b.spent.tokens + worst.tokens > maxTokens) {
      return refuse(b, worst, `${b.spent.tokens} tokens spent + up to ${worst.tokens} for this call could exceed the ${b.scope} budget of ${maxTokens} tokens`);
    }
    if (maxCostUsd !== undefined && b.spent.costUsd + worst.costUsd > maxCostUsd + 1e-12) {
      return refuse(b, worst, `$${b.spent.costUsd.toFixed(6)} spent + up to $${worst.costUsd.toFixed(6)} for this call could exceed the ${b.scope} budget of $${maxCostUsd}`);
    }
  }
  return { ok: true };
}

function refuse(b: ScopedBudget, worstCase: WorstCase, reason: string): BudgetDecision {
  return { ok: false, scope: b.scope, limit: b.limit, spent: b.spent, worstCase, reason };
}

/** A conservative estimate (about 4 characters per token) of a request's input tokens. */
export function estimateTokens(request: unknown): number {
  return Math.ceil(JSON.stringify(request).length / 4);
}
