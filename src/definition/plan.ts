/** Builds the compiled Plan from a definition that passed every check; applies all defaults. */
import { parseDuration } from './duration.js';
import {
  DEFAULT_RETRY,
  DEFAULT_RUN_TIMEOUT_MS,
  DEFAULT_STEP_TIMEOUT_MS,
  type Definition,
  type Plan,
  type PlanStep,
  type RetryPolicy,
  type RetryPolicyDef,
  type StepDef,
} from './types.js';

export function buildPlan(definition: Definition): Plan {
  const execution = definition.execution ?? {};
  const defaultRetry = mergeRetry(DEFAULT_RETRY, execution.retry);
  const steps = definition.steps.map((step, i) =>
    planStep(step, step.needs ?? (i === 0 ? [] : [definition.steps[i - 1]!.id]), defaultRetry, false),
  );
  const onFailureDefs = execution.on_failure ?? [];
  const onFailure = onFailureDefs.map((step, i) => planStep(step, i === 0 ? [] : [onFailureDefs[i - 1]!.id], defaultRetry, true));
  const retention = execution.retention ?? {};
  return {
    steps,
    onFailure,
    timeoutMs: execution.timeout === undefined ? DEFAULT_RUN_TIMEOUT_MS : parseDuration(execution.timeout),
    concurrency: execution.concurrency ?? null,
    concurrencyKey: execution.concurrency_key ?? null,
    inputsSchema: definition.inputs ?? null,
    pauseAfterFailures: execution.pause_after_failures ?? null,
    defaultRetry,
    // null: the node's `retention.*` default applies (key by key)
    retention: {
      maxAgeMs: retention.max_age === undefined ? null : parseDuration(retention.max_age),
      maxRuns: retention.max_runs ?? null,
      keepFailedMs: retention.keep_failed === undefined ? null : parseDuration(retention.keep_failed),
    },
  };
}

export function planStep(step: StepDef, needs: string[], defaultRetry: RetryPolicy, onFailure: boolean): PlanStep {
  const planned: PlanStep = {
    id: step.id,
    action: step.action,
    with: step.with ?? {},
    needs: [...new Set(needs)],
    retry: mergeRetry(defaultRetry, step.retry),
    timeoutMs: step.timeout === undefined ? DEFAULT_STEP_TIMEOUT_MS : parseDuration(step.timeout),
    continueOnError: step.continue_on_error ?? false,
    onFailure,
  };
  if (step.if !== undefined) planned.if = step.if;
  return planned;
}

/** Field by field: a step's `retry: {max_retries: 5}` keeps the backoff of `execution.retry`. */
function mergeRetry(base: RetryPolicy, def: RetryPolicyDef | undefined): RetryPolicy {
  if (!def) return { ...base };
  return {
    maxRetries: def.max_retries ?? base.maxRetries,
    backoff: def.backoff ?? base.backoff,
    baseDelayMs: def.base_delay === undefined ? base.baseDelayMs : parseDuration(def.base_delay),
    maxDelayMs: def.max_delay === undefined ? base.maxDelayMs : parseDuration(def.max_delay),
    jitter: def.jitter ?? base.jitter,
  };
}
