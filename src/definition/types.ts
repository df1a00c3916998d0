/**
 * The automation definition as users write it (YAML or JSON) — SPEC §2 — and the compiled plan the
 * engine executes. `parseDefinition` (definition/parse.ts) turns the first into both.
 */

export type JsonSchema = Record<string, unknown> | boolean;

/** A filter is data: `{ "path": value | { $op: ... } }`, implicit AND; see definition/filter.ts. */
export type Filter = Record<string, unknown>;

export interface RetryPolicyDef {
  max_retries?: number;
  backoff?: 'exponential' | 'fixed' | 'linear';
  base_delay?: string;
  max_delay?: string;
  jitter?: boolean;
}

export interface StepDef {
  id: string;
  name?: string;
  action: string;
  with?: Record<string, unknown>;
  needs?: string[];
  if?: Filter;
  retry?: RetryPolicyDef;
  timeout?: string;
  continue_on_error?: boolean;
}

export interface FireLimitDef {
  max: number;
  window: string;
}

interface TriggerBase {
  id: string;
  enabled?: boolean;
  filter?: Filter;
  inputs?: Record<string, unknown>;
  fire_limit?: FireLimitDef;
}

export interface ScheduleTriggerDef extends TriggerBase {
  type: 'schedule';
  cron?: string;
  every?: string;
  /** RFC 3339 instant that `every` slots are aligned to (default: the Unix epoch) */
  anchor?: string;
  at?: string;
  timezone?: string;
  catch_up?: 'skip_missed' | 'coalesce' | 'replay';
  max_catch_up?: number;
  misfire_grace?: string;
  jitter?: string;
  overlap?: OverlapPolicy;
  /** a schedule of an automation with a planning step must opt in: every fire plans anew */
  allow_replan?: boolean;
}

export interface WebhookTriggerDef extends TriggerBase {
  type: 'webhook';
  verify: {
    scheme: 'standard' | 'github' | 'hmac' | 'token' | 'none';
    secret?: SecretRef;
    header?: string;
    timestamp_header?: string;
    delivery_id_header?: string;
  };
  max_body?: string;
  overlap?: OverlapPolicy;
}

export interface EventTriggerDef extends TriggerBase {
  type: 'event';
  name: string;
  overlap?: OverlapPolicy;
}

export interface ManualTriggerDef extends TriggerBase {
  type: 'manual';
}

export type TriggerDef = ScheduleTriggerDef | WebhookTriggerDef | EventTriggerDef | ManualTriggerDef;

/**
 * A secret is a literal (stored encrypted, write-only), a reference to an env variable, or — in
 * stored definitions — the reference that replaced a literal at apply time.
 */
export type SecretRef = string | { env: string } | { secret_ref: string };

export type OverlapPolicy = 'skip' | 'queue' | 'allow' | 'cancel_previous';

export interface ExecutionDef {
  timeout?: string;
  concurrency?: number;
  concurrency_key?: string;
  overlap?: OverlapPolicy;
  fire_limit?: FireLimitDef;
  budget?: {
    max_cost_usd?: number;
    max_tokens?: number;
    on_exceed?: 'fail' | 'approval';
    /** agent spending of the automation per UTC day; a spent day skips fires (`budget`) until midnight */
    per_day?: { max_cost_usd?: number; max_tokens?: number };
  };
  retry?: RetryPolicyDef;
  on_failure?: StepDef[];
  retention?: { max_age?: string; max_runs?: number; keep_failed?: string };
  pause_after_failures?: number;
}

export interface Definition {
  name: string;
  description?: string;
  metadata?: Record<string, unknown>;
  inputs?: Record<string, unknown>;
  triggers?: TriggerDef[];
  steps: StepDef[];
  execution?: ExecutionDef;
}

// ---------------------------------------------------------------------------------------------
// Compiled form, what the engine executes. Durations are milliseconds; dependencies are explicit.

export interface RetryPolicy {
  maxRetries: number;
  backoff: 'exponential' | 'fixed' | 'linear';
  baseDelayMs: number;
  maxDelayMs: number;
  jitter: boolean;
}

export interface PlanStep {
  id: string;
  action: string;
  with: Record<string, unknown>;
  /** Effective dependencies: `needs` when declared, otherwise the previous step (none for the first). */
  needs: string[];
  if?: Filter;
  retry: RetryPolicy;
  timeoutMs: number;
  continueOnError: boolean;
  /** True for steps of `execution.on_failure`, which run only after the main plan failed. */
  onFailure: boolean;
  /** Set on steps a planning step of this run produced: that step's id. */
  plannedBy?: string;
}

export interface Plan {
  steps: PlanStep[];
  onFailure: PlanStep[];
  timeoutMs: number;
  concurrency: number | null;
  concurrencyKey: string | null;
  /** JSON Schema of the inputs (object), or null when the automation takes none. */
  inputsSchema: Record<string, unknown> | null;
  /** each null where the definition leaves it to the node's `retention` configuration; 0 disables a limit */
  retention: { maxAgeMs: number | null; maxRuns: number | null; keepFailedMs: number | null };
  /** `execution.pause_after_failures`: the circuit breaker's limit, or null when it is off. */
  pauseAfterFailures: number | null;
  /** `execution.retry` over the defaults: the policy of a step that sets none (planned steps too) */
  defaultRetry: RetryPolicy;
}

export const DEFAULT_RUN_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_STEP_TIMEOUT_MS = 5 * 60_000;
export const DEFAULT_RETRY: RetryPolicy = {
  maxRetries: 0,
  backoff: 'exponential',
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  jitter: true,
};
