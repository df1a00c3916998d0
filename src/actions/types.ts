import type { ApprovalKind, ApprovalOutcome, ApprovalStatus, DelegationStatus, EventWaitStatus, OnTimeout, RunStatus, WaitingFor } from '../states.js';
import type { JsonSchema, StepDef } from '../definition/types.js';
import type { ErrorDetail } from '../errors.js';
import type { Span, SpanOptions } from '@opentelemetry/api';

/** Logger given to actions; lines are stored with the step (bounded) and redacted of secrets. */
export interface StepLogger {
  info(message: string, data?: unknown): void;
  warn(message: string, data?: unknown): void;
  error(message: string, data?: unknown): void;
}

/** What the engine lets actions do beyond their own step. */
export interface ActionServices {
  /** Publishes an event into the run's workspace. `id` deduplicates. */
  emitEvent(event: { name: string; data?: unknown; id?: string }): Promise<{ id: string; duplicate: boolean }>;
  /** Starts a run of another automation of the same workspace; idempotent by `idempotencyKey`. */
  startRun(request: {
    automation: string;
    inputs: Record<string, unknown>;
    idempotencyKey: string;
    parent?: { runId: string; stepId: string };
    /** the starting step's span (`ctx.trace.traceparent`): the child's run span becomes its child */
    traceparent?: string;
  }): Promise<{ runId: string }>;
  /** Reads a run of the same workspace (null when absent). */
  getRun(runId: string): Promise<{ id: string; status: RunStatus; output: unknown; error: unknown } | null>;
  /**
   * Approvals (issue 4): opens a pending approval for this step (idempotent by `key`), and reads
   * one back. A step waiting for a decision suspends with waitingFor 'approval'; deciding wakes it.
   */
  requestApproval?(request: ApprovalRequest): Promise<{ id: string }>;
  getApproval?(id: string): Promise<ApprovalState | null>;
  /** Ends this run `canceled`, like `POST /runs/{id}/cancel` (the calling step is aborted). */
  cancelRun?(): Promise<void>;
  /**
   * `wait_for_event`: registers this step's wait (once per step; a second call returns the first
   * registration) and reads it back. An event published in the workspace after the registration
   * whose name and filter match completes the wait and wakes the step.
   */
  waitForEvent?(request: { name: string; filter?: Record<string, unknown>; expiresAt: number | null }): Promise<EventWaitState>;
  getEventWait?(): Promise<EventWaitState | null>;
  /**
   * `delegate`: opens this step's delegation with a new one-time callback token (a still pending
   * one gets a new token; the old one stops working) and reads its state back.
   */
  openDelegation?(request: { url: string; expiresAt: number | null }): Promise<{ id: string; callbackUrl: string; callbackToken: string }>;
  getDelegation?(): Promise<DelegationState | null>;
}

export interface EventWaitState {
  state: EventWaitStatus;
  /** epoch ms */
  expiresAt: number | null;
  /** the matched event: {id, name, data, source, created_at} */
  event?: unknown;
}

export interface DelegationState {
  id: string;
  state: DelegationStatus;
  expiresAt: number | null;
  output?: unknown;
  error?: { message: string; code?: string; details?: unknown };
}

export interface ApprovalRequest {
  /** unique per run step, e.g. `approval` or `tool:<call id>` */
  key: string;
  kind: ApprovalKind;
  message: string;
  details?: unknown;
  approvers?: string[];
  minApprovals?: number;
  /** epoch ms, or null for no timeout */
  expiresAt: number | null;
  onTimeout?: OnTimeout;
}

export interface ApprovalState {
  id: string;
  state: ApprovalStatus;
  /** edited value (approval step output) or edited tool arguments */
  value?: unknown;
  comment?: string | null;
  decided_by?: string | null;
  decided_at?: string | null;
  /**
   * The decision in force: the decided state, or for `expired` the on_timeout that was applied
   * (null when the run ended before any decision).
   */
  outcome?: ApprovalOutcome | null;
  expires_at?: string | null;
  /** as requested */
  details?: unknown;
}

export interface ActionRuntimeConfig {
  http: {
    /** Hosts, IPs or CIDR ranges in private/loopback space that the `http` action may reach. */
    allowlist: string[];
    maxResponseBytes: number;
    defaultTimeoutMs: number;
  };
  shell: {
    enabled: boolean;
    maxOutputBytes: number;
  };
}

/**
 * The trace span of one step attempt, given to its action when the node exports traces
 * (`tracing.endpoint`); absent otherwise, so an action that does nothing with it costs nothing.
 */
export interface StepTrace {
  /** W3C `traceparent` of the step's span, to send on outgoing requests (`http`, `delegate`) */
  readonly traceparent: string;
  /**
   * Starts a child span of the step's span (the agent's model and tool calls); the caller ends it.
   *
   * @example
   * const span = ctx.trace?.startSpan('lookup customer', { attributes: { 'crm.id': id } });
   * try { return await lookup(id); } finally { span?.end(); }
   */
  startSpan(name: string, options?: SpanOptions): Span;
}

/** A step that waits (durably, holding no worker slot) instead of finishing now. */
export interface Suspension {
  kind: 'suspend';
  waitingFor: Exclude<WaitingFor, typeof WaitingFor.retry>;
  /** When to call the handler again (epoch ms); null means "only when woken by something else". */
  wakeAt: number | null;
  /** Persisted with the step and handed back as `ctx.state` on the next call. */
  state: unknown;
}

export interface ActionContext<Config = Record<string, unknown>> {
  /** The step's `with:` after templates were resolved. */
  config: Config;
  /** Aborted on step timeout, run timeout, cancel and shutdown. */
  signal: AbortSignal;
  /** `run_id:step_id`: the same for every attempt and every re-execution of the step. */
  idempotencyKey: string;
  /** 1 for the first try, +1 per retry; a re-execution after a crash keeps its attempt. */
  attempt: number;
  run: { id: string; workspaceId: string; automation: string; version: number; inputs: Record<string, unknown> };
  step: { id: string };
  log: StepLogger;
  services: ActionServices;
  runtime: ActionRuntimeConfig;
  now(): number;
  /** State saved by this step's previous suspension, or undefined on the first call. */
  state: unknown;
  /** Returns a suspension for the handler to return. */
  suspend(waitingFor: Suspension['waitingFor'], wakeAt: number | null, state: unknown): Suspension;
  /** This attempt's trace span when the node exports traces (see {@link StepTrace}). */
  trace?: StepTrace;
  /** Set when the step plans (`agent` with `plan:`): how its answer is checked and joins the run. */
  planning?: StepPlanning;
}

/** What a planning step's action uses to check its answer and hand the engine the accepted steps. */
export interface StepPlanning {
  /** the planning step's id, under which its steps are namespaced */
  readonly planner: string;
  /** Every problem of a planner's answer (its `steps` value), with paths `$.steps[i]...`. */
  check(steps: unknown): ErrorDetail[];
  /** The accepted steps as the run executes them: full ids, explicit needs, rewritten references. */
  join(steps: StepDef[]): StepDef[];
  /** The planner's instructions: the answer's shape, the allowed actions, what may be referenced. */
  instruction(): string;
}

/**
 * A step type. Built-in actions and custom ones registered by the embedding application share
 * this shape.
 *
 * @example
 * const greet: ActionDefinition<{ name: string }, { text: string }> = {
 *   type: 'greet',
 *   description: 'Says hello',
 *   configSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
 *   outputSchema: { type: 'object', properties: { text: { type: 'string' } } },
 *   handler: async (ctx) => ({ text: `hello ${ctx.config.name}` }),
 * };
 */
export interface ActionDefinition<Config = any, Output = unknown> {
  type: string;
  description: string;
  /** JSON Schema (2020-12) of `with:`; checked when a definition is saved. */
  configSchema: JsonSchema;
  /** JSON Schema of the output; checked after each successful call. */
  outputSchema?: JsonSchema;
  /**
   * Top-level `with:` fields where `{{ secrets.NAME }}` (a workspace secret) is allowed, e.g.
   * `['headers', 'query', 'body']` for `http`. Anywhere else a secret is refused at apply. The
   * handler sees the value in `config`; the stored step input keeps the placeholder, and every
   * copy of the value in the output, logs and error is replaced by `[redacted]` before storage.
   * Mark only fields whose value leaves the node as data (headers, env), never ones that end up
   * in URLs, file names or log lines.
   */
  /**
   * Top-level `with:` fields that are free text (a prompt, a message): where a saved workflow's
   * `{{ inputs.NAME }}` placeholders may appear (SPEC §6). None by default.
   */
  textFields?: string[];
  secretFields?: string[];
  /**
   * Definition-time checks beyond `configSchema` (e.g. that named tools exist); each problem's path
   * starts with `path` (the step's `with`).
   */
  checkConfig?(config: Record<string, unknown>, path: string): ErrorDetail[];
  handler(ctx: ActionContext<Config>): Promise<Output | Suspension>;
}

export function isSuspension(value: unknown): value is Suspension {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'suspend';
}
