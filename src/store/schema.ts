/**
 * Row types of every table, as stored. Timestamps are epoch milliseconds (BIGINT), JSON is TEXT,
 * booleans are 0/1 integers: the one representation both SQLite and PostgreSQL share, so one query
 * code base serves both. Store functions return these rows as stored (PostgreSQL's BIGINT arrives as
 * a number through the pool's type parser, see connect.ts). They are not converted in one place:
 * the API views of most tables are built in node/convert.ts, approvals, waits and agent calls in
 * their services (node/, agent/conversation.ts), and the engine, scheduler and triggers parse the
 * JSON columns they read themselves (with store/json.ts's fromJson or JSON.parse).
 */
import type {
  AgentCallKind,
  AgentCallStatus,
  ApprovalKind,
  ApprovalOutcome,
  ApprovalStatus,
  AutomationStatus,
  DelegationStatus,
  DeliveryOutcome,
  EventWaitStatus,
  OnTimeout,
  PauseReason,
  RunEventType,
  RunStatus,
  SkipReason,
  StepStatus,
  TriggerKind,
  WaitingFor,
} from '../states.js';

export interface WorkspaceTable {
  id: string;
  name: string;
  created_at: number;
}

export interface TokenTable {
  id: string;
  /** null for admin tokens, which may act on every workspace */
  workspace_id: string | null;
  name: string;
  hash: string;
  /** JSON array of scopes */
  scopes: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface AutomationTable {
  id: string;
  workspace_id: string;
  name: string;
  status: AutomationStatus;
  source: string;
  source_path: string | null;
  /** Set when a file-sourced automation was paused through the API; survives re-applying the file. */
  paused_overlay: number;
  latest_version: number;
  description: string | null;
  created_at: number;
  updated_at: number;
  /** failed or timed-out runs since the last success (the circuit breaker); canceled runs do not count */
  consecutive_failures: number;
  paused_reason: PauseReason | null;
  paused_at: number | null;
}

export interface AutomationVersionTable {
  automation_id: string;
  version: number;
  definition: string;
  hash: string;
  created_at: number;
  /** the run whose realized plan this version froze (`save-as-automation`); null for applied definitions */
  saved_from_run?: string | null;
  /** that save's freezability report (JSON) */
  freeze_report?: string | null;
}

export interface TriggerTable {
  automation_id: string;
  trigger_id: string;
  type: TriggerKind;
  /** JSON of the trigger's definition at the latest version */
  config: string;
  enabled: number;
  /** webhook endpoint id (unguessable, stable across versions) */
  endpoint_id: string | null;
  /** durable schedule cursor */
  next_fire_at: number | null;
  last_fire_at: number | null;
  last_fire_id: string | null;
  schedule_hash: string | null;
  misfire_count: number;
  last_misfire_at: number | null;
  /** consecutive fires that failed to start a run; 0 after a good fire */
  failure_count: number;
  /** `code: message` of the last failed fire (kept after a good one) */
  last_failure: string | null;
  last_failure_at: number | null;
  /** JSON: trigger-kind specific state */
  state: string | null;
  updated_at: number;
}

export interface RunTable {
  id: string;
  workspace_id: string;
  automation_id: string;
  automation_name: string;
  version: number;
  trigger_id: string;
  trigger_kind: TriggerKind;
  /** JSON activation envelope */
  activation: string;
  idempotency_key: string | null;
  /** JSON */
  inputs: string;
  status: RunStatus;
  waiting_for: WaitingFor | null;
  skip_reason: SkipReason | null;
  attempt: number;
  queued_at: number;
  started_at: number | null;
  ended_at: number | null;
  /** JSON */
  output: string | null;
  /** JSON error shape */
  error: string | null;
  cost_usd: number;
  tokens: number;
  parent_run_id: string | null;
  parent_step_id: string | null;
  /** links (child runs, `run.*` event chains) that led to this run; 0 for a run started directly */
  depth: number;
  retry_of: string | null;
  replay_of: string | null;
  concurrency_key: string | null;
  concurrency_limit: number | null;
  /** node id holding the lease while `running` */
  lease_owner: string | null;
  /**
   * When a node may claim this run; null when nobody may (terminal, or waiting with no timer).
   * queued: when it may start; running: when its lease expires; waiting: the earliest of its wake
   * time and its deadline. One indexed column makes every kind of claim one range scan.
   */
  claim_at: number | null;
  /** absolute deadline of the whole run, set when it starts */
  deadline_at: number | null;
  /** run timeout in ms, from the pinned version's plan; deadline_at = started_at + timeout_ms */
  timeout_ms: number;
  /** last seq used in run_events; bumped by every append (the row lock orders appends) */
  event_seq: number;
  cancel_requested: number;
  pinned: number;
  updated_at: number;
  /** W3C traceparent of the run's creation span (or its caller's); null when none (engine/run-trace.ts) */
  traceparent: string | null;
}

export interface StepTable {
  run_id: string;
  step_id: string;
  /** position in the plan; on_failure steps come after the main ones */
  idx: number;
  status: StepStatus;
  attempt: number;
  started_at: number | null;
  ended_at: number | null;
  /** JSON: the resolved `with:` of the latest attempt (secrets redacted) */
  input: string | null;
  output: string | null;
  error: string | null;
  /** JSON array of bounded log lines */
  logs: string | null;
  cost_usd: number;
  /** JSON: action state kept across suspensions (sleep until, child run id, ...) */
  state: string | null;
  /** JSON: external reference (agent session, thread id, child run id, ...) */
  external_ref: string | null;
  wake_at: number | null;
  waiting_for: WaitingFor | null;
}

export interface RunEventTable {
  run_id: string;
  seq: number;
  type: RunEventType;
  step_id: string | null;
  /** JSON */
  data: string | null;
  idempotency_key: string;
  created_at: number;
}

export interface EventTable {
  id: string;
  workspace_id: string;
  name: string;
  data: string | null;
  source: string;
  dedupe_id: string | null;
  created_at: number;
  /** set once every matching event trigger was fired; null: pending (re-dispatched by a sweep) */
  dispatched_at?: number | null;
  /** W3C traceparent of the publishing request: the runs it starts continue that trace */
  traceparent?: string | null;
}

/** A trigger's write-only secret, AES-256-GCM encrypted (see triggers/secrets.ts). */
export interface SecretTable {
  id: string;
  workspace_id: string;
  automation_name: string;
  trigger_id: string;
  ciphertext: string;
  /** the secret before the last rotation, valid until previous_expires_at */
  previous_ciphertext: string | null;
  previous_expires_at: number | null;
  created_at: number;
  updated_at: number;
}

/** A workspace secret for actions, sealed like {@link SecretTable} (see node/secrets-service.ts). */
export interface WorkspaceSecretTable {
  id: string;
  workspace_id: string;
  /** `[A-Za-z_][A-Za-z0-9_]{0,127}`, unique per workspace */
  name: string;
  ciphertext: string;
  created_at: number;
  updated_at: number;
  last_used_at: number | null;
}

/** The bounded per-trigger log of authenticated webhook deliveries. */
export interface WebhookDeliveryTable {
  id: string;
  automation_id: string;
  trigger_id: string;
  delivery_id: string | null;
  outcome: DeliveryOutcome;
  reason: string | null;
  status_code: number;
  /** JSON array of run ids */
  run_ids: string;
  received_at: number;
}

/** Counters of requests that failed authentication (they are not logged one by one). */
export interface TriggerStatsTable {
  automation_id: string;
  trigger_id: string;
  unauthenticated: number;
  last_unauthenticated_at: number | null;
  last_unauthenticated_reason: string | null;
}

/** Bumped whenever a workspace's triggers change; event-trigger indexes compare it. */
export interface TriggerGenerationTable {
  workspace_id: string;
  generation: number;
}

/** One memoized model or tool call of an agent step; `model` rows are the cost ledger. */
export interface AgentCallTable {
  run_id: string;
  step_id: string;
  /** row number within the step, across attempts */
  seq: number;
  /** place in the agent loop that replays walk; several rows share one when calls failed */
  position: number;
  kind: AgentCallKind;
  /** `provider:model` or the tool name */
  name: string;
  request_hash: string;
  /** JSON (bounded) */
  request: string | null;
  /** JSON: the full response that a replay uses */
  response: string | null;
  status: AgentCallStatus;
  error: string | null;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
  cost_usd: number;
  latency_ms: number;
  workspace_id: string;
  automation_id: string;
  created_at: number;
}

/** A final answer of an agent step checked against its output schema. */
export interface ArtifactTable {
  id: string;
  run_id: string;
  step_id: string;
  position: number;
  kind: string;
  valid: number;
  /** JSON array of {path, message} */
  errors: string | null;
  sha256: string;
  size_bytes: number;
  content: string;
  created_at: number;
}

/** A human decision attached to a run step (or to one tool call of an agent step). */
export interface ApprovalTable {
  id: string;
  workspace_id: string;
  run_id: string;
  step_id: string;
  /** unique per run step: `approval`, `tool:<call id>`, `budget:<n>` */
  key: string;
  kind: ApprovalKind;
  message: string;
  /** JSON */
  details: string | null;
  /** JSON array of token ids, token names or scopes; null: anyone with approvals:write */
  approvers: string | null;
  min_approvals: number;
  state: ApprovalStatus;
  /** the decision in force: set when decided, and for `expired` the on_timeout applied */
  outcome: ApprovalOutcome | null;
  /** JSON: the edited value of the deciding approval */
  value: string | null;
  /** JSON array of {by, by_name, decision, comment, value?, at} */
  decisions: string;
  expires_at: number | null;
  on_timeout: OnTimeout;
  created_at: number;
  decided_at: number | null;
}

/** An active or matched `wait_for_event` of one run step. */
export interface EventWaitTable {
  run_id: string;
  step_id: string;
  workspace_id: string;
  /** exact name or pattern with `*` segments */
  name: string;
  /** JSON filter over {name, data, source} */
  filter: string | null;
  state: EventWaitStatus;
  event_id: string | null;
  /** JSON event view of the match */
  event: string | null;
  expires_at: number | null;
  created_at: number;
  matched_at: number | null;
}

/** A step handed to an external runtime, waiting for its one-time callback. */
export interface DelegationTable {
  id: string;
  workspace_id: string;
  run_id: string;
  step_id: string;
  url: string;
  /** SHA-256 of the one-time callback token */
  token_hash: string;
  state: DelegationStatus;
  output: string | null;
  error: string | null;
  expires_at: number | null;
  created_at: number;
  completed_at: number | null;
}

/** Model calls per workspace, automation and UTC day: the rollup cost totals and daily budgets read. */
export interface AgentCostDayTable {
  workspace_id: string;
  automation_id: string;
  /** days since the epoch (UTC) */
  day: number;
  cost_usd: number;
  tokens: number;
  calls: number;
}

/** The same rollup by model (`provider:model`; '' for spending of runs pruned before it existed): `GET /costs` reads it. */
export interface AgentCostModelDayTable {
  workspace_id: string;
  /** days since the epoch (UTC) */
  day: number;
  automation_id: string;
  model: string;
  cost_usd: number;
  tokens: number;
  calls: number;
}

export interface DB {
  workspaces: WorkspaceTable;
  tokens: TokenTable;
  automations: AutomationTable;
  automation_versions: AutomationVersionTable;
  triggers: TriggerTable;
  runs: RunTable;
  steps: StepTable;
  run_events: RunEventTable;
  events: EventTable;
  secrets: SecretTable;
  workspace_secrets: WorkspaceSecretTable;
  webhook_deliveries: WebhookDeliveryTable;
  trigger_stats: TriggerStatsTable;
  trigger_generations: TriggerGenerationTable;
  approvals: ApprovalTable;
  event_waits: EventWaitTable;
  delegations: DelegationTable;
  agent_calls: AgentCallTable;
  artifacts: ArtifactTable;
  agent_cost_days: AgentCostDayTable;
  agent_cost_model_days: AgentCostModelDayTable;
  rota_meta: { key: string; value: string };
}
