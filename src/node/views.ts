/**
 * The domain shapes that services return and the API serializes as they are (snake_case, the
 * public JSON). Timestamps are ISO 8601 strings.
 */
import type { FreezeReport } from '../definition/freeze.js';
import type { ErrorShape } from '../errors.js';
import type { Definition } from '../definition/types.js';
import type { ArtifactView } from '../agent/conversation.js';
import type { RunEventView } from '../engine/run-events.js';
import type { RunListQuery } from '../store/runs.js';
import type { FiredRun } from '../triggers/events.js';
import type {
  ApprovalKind,
  ApprovalOutcome,
  ApprovalStatus,
  AutomationStatus,
  PauseReason,
  OnTimeout,
  RunStatus,
  SkipReason,
  StepStatus,
  TriggerKind,
  WaitingFor,
} from '../states.js';

export type { RunEventView };
export type { Page } from '../paging.js';

export interface Workspace {
  id: string;
  name: string;
}

/**
 * Every view that belongs to a workspace shows it the same way: `workspace` is its name,
 * `workspace_id` its id (runs, their activation, automations, tokens).
 */
export interface AutomationView {
  id: string;
  workspace: string;
  workspace_id: string;
  name: string;
  description: string | null;
  status: AutomationStatus;
  /** why and when it was paused (`manual`, `circuit_breaker`); null unless paused */
  paused: { reason: PauseReason; at: string } | null;
  /** failed or timed-out runs since the last success (the circuit breaker's count) */
  consecutive_failures: number;
  source: 'api' | 'file';
  source_path: string | null;
  version: number;
  definition: Definition;
  triggers: TriggerView[];
  created_at: string;
  updated_at: string;
  /** the run whose realized plan the newest saved version froze (`save-as-automation`); null if never saved from a run */
  saved_from_run: string | null;
}

/**
 * `GET /automation-stats`: what the automations list shows per row, for a page of automations at
 * once. `recent` are the last ended runs, newest first; `success_rate` is succeeded / (succeeded +
 * failed + timed_out) among them (canceled and skipped runs are not outcomes of the automation's
 * work), null when none of them counts.
 */
export interface AutomationStatsView {
  name: string;
  recent: { id: string; status: RunStatus; ended_at: string }[];
  success_rate: number | null;
  /** runs not ended yet */
  open: { queued: number; running: number; waiting: number };
  /** agent spending of the current UTC day (the daily budget's measure) */
  today: { cost_usd: number; tokens: number };
}

export interface TriggerView {
  id: string;
  type: TriggerKind;
  enabled: boolean;
  next_fire_at: string | null;
  last_fire_at: string | null;
  /** webhook triggers: the stable, unguessable endpoint id and the path to POST deliveries to */
  endpoint_id?: string;
  webhook_path?: string;
}

export interface VersionView {
  version: number;
  hash: string;
  created_at: string;
  definition: Definition;
  /** the run this version froze (`save-as-automation`), or null for an applied definition */
  saved_from_run: string | null;
  /** that save's freezability report */
  freeze_report: FreezeReport | null;
}

export interface ApplyResult {
  automation: AutomationView;
  /** true when this call created the automation */
  created: boolean;
  /** true when a new version was written (false: the definition was unchanged) */
  changed: boolean;
  /**
   * What was saved but will fail at run time unless fixed first, e.g. `{{ secrets.NAME }}` of a
   * secret not set yet (a definition is often applied before its secrets; set them, then run).
   */
  warnings: ApplyWarning[];
}

/** What the API and CLI show of a workspace secret: never its value. */
export interface SecretView {
  name: string;
  created_at: string;
  updated_at: string;
  /** when a step last resolved it */
  last_used_at: string | null;
}

export interface ApplyWarning {
  path: string;
  message: string;
}

export interface StepView {
  id: string;
  action: string;
  status: StepStatus;
  attempt: number;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  input: unknown;
  output: unknown;
  error: ErrorShape | null;
  logs: LogLine[];
  cost_usd: number;
  waiting_for: WaitingFor | null;
  wake_at: string | null;
  external_ref: unknown;
  on_failure: boolean;
  /** the planning step that produced this step in this run, or null for a declared step */
  planned_by: string | null;
  /** true for a planning step (an agent step with `plan:`): its output is the plan it made */
  plans: boolean;
}

export interface LogLine {
  at: string;
  level: 'info' | 'warn' | 'error';
  message: string;
  data?: unknown;
}

export interface RunView {
  id: string;
  workspace: string;
  workspace_id: string;
  automation: string;
  automation_id: string;
  version: number;
  trigger_id: string;
  trigger_kind: TriggerKind;
  activation: unknown;
  idempotency_key: string | null;
  inputs: Record<string, unknown>;
  status: RunStatus;
  waiting_for: WaitingFor | null;
  skip_reason: SkipReason | null;
  attempt: number;
  queued_at: string;
  started_at: string | null;
  ended_at: string | null;
  output: unknown;
  error: ErrorShape | null;
  cost_usd: number;
  tokens: number;
  parent_run_id: string | null;
  retry_of: string | null;
  replay_of: string | null;
  /** a pinned run is never pruned by retention */
  pinned: boolean;
  /** the OpenTelemetry trace the run belongs to (tracing on, or a caller's traceparent), else null */
  trace_id: string | null;
  steps?: StepView[];
}

/** `GET /retention/preview`: what the next sweep would delete per automation, and why. */
export interface RetentionPreview {
  automations: RetentionPreviewEntry[];
  totals: { prunable: number; held: number };
}

export interface RetentionPreviewEntry {
  automation: string;
  /** the policy in force: the definition's `execution.retention` over the node's defaults (0: no limit) */
  policy: { max_age: string; max_runs: number; keep_failed: string | null };
  /** runs the next sweep deletes, by the rule that lets them go */
  prunable: { age: number; count: number; keep_failed: number; total: number };
  /** runs beyond the policy that stay: pinned, children of a parent still kept; active runs of the automation */
  held: { pinned: number; children: number; active: number };
}

/** `POST /retention/prune`: what a sweep run now deleted. */
export interface PruneResult {
  runs: { age: number; count: number; keep_failed: number; total: number };
  rows: number;
  duration_ms: number;
  /** false: another node was sweeping (PostgreSQL: one node at a time); nothing was deleted here, try again shortly */
  swept: boolean;
}

/** `runs.list` filters: those of the store's query, paged by cursor. */
export type RunListFilter = Omit<RunListQuery, 'before' | 'limit'> & { cursor?: string | null; limit?: number };

export interface EventView {
  id: string;
  name: string;
  data: unknown;
  source: string;
  created_at: string;
  duplicate?: boolean;
  /**
   * runs of the event triggers it matched: when published (`emit`; `created` false: fired before),
   * and in lists (those of triggers still in their definitions; their current status)
   */
  runs?: FiredRun[];
}

export interface TokenView {
  id: string;
  name: string;
  /** null (both) for an admin token across workspaces */
  workspace: string | null;
  workspace_id: string | null;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** Who is calling: resolved from a bearer token. `workspace` null means admin across workspaces. */
export interface Principal {
  token_id: string;
  workspace_id: string | null;
  scopes: string[];
}

export interface RunReport {
  run: RunView;
  events: RunEventView[];
  /** answers of agent steps checked against their output schema (content omitted) */
  artifacts: ArtifactView[];
  markdown: string;
}

/** A human decision attached to a run step (or one tool call of an agent step). */
export interface ApprovalView {
  id: string;
  run_id: string;
  step_id: string;
  automation: string;
  run_status: RunStatus;
  /** unique per run step: `approval`, `tool:<call id>`, ... */
  key: string;
  kind: ApprovalKind;
  message: string;
  details: unknown;
  /** token ids, token names or scopes allowed to decide; null: any approvals:write token */
  approvers: string[] | null;
  min_approvals: number;
  /** distinct tokens that approved so far */
  approvals: number;
  state: ApprovalStatus;
  /** the decision in force; for `expired`, the on_timeout applied (null if the run ended first) */
  outcome: ApprovalOutcome | null;
  /** the edited value in force (approve with value), else null */
  value: unknown;
  decided_by: string | null;
  comment: string | null;
  decisions: { by: string; by_name: string | null; decision: string; comment: string | null; value?: unknown; at: string }[];
  expires_at: string | null;
  on_timeout: OnTimeout;
  created_at: string;
  decided_at: string | null;
}
