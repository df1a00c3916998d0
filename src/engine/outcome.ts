/**
 * Decide, then apply: what one finished attempt of a step means. Pure; the executor persists it.
 */
import type { PlanStep } from '../definition/types.js';
import type { ErrorShape } from '../errors.js';
import { isSuspension, type Suspension } from '../actions/types.js';
import { backoffDelay } from './backoff.js';

export type StepOutcome =
  | { kind: 'succeed'; output: unknown }
  | { kind: 'suspend'; suspension: Suspension }
  | { kind: 'retry'; at: number; error: ErrorShape }
  | { kind: 'fail'; error: ErrorShape };

export function decideOutcome(
  step: PlanStep,
  attempt: number,
  result: { ok: true; value: unknown } | { ok: false; error: ErrorShape },
  now: number,
  random: () => number = Math.random,
): StepOutcome {
  if (result.ok) {
    return isSuspension(result.value) ? { kind: 'suspend', suspension: result.value } : { kind: 'succeed', output: result.value ?? null };
  }
  const retriesSoFar = attempt - 1;
  if (result.error.retriable && retriesSoFar < step.retry.maxRetries) {
    return { kind: 'retry', at: now + backoffDelay(step.retry, retriesSoFar + 1, random), error: result.error };
  }
  return { kind: 'fail', error: result.error };
}
