/**
 * Row types of every table, as stored. Timestamps are epoch milliseconds (BIGINT), JSON is TEXT,
 * booleans are 0/1 integers: the one representation both SQLite and PostgreSQL share, so one query
 * code base serves both. Domain types live next to the code that uses them; conversions happen in
 * one place per table (the store module of that table).
 */
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
  status: string;
  source: string;
  source_path: string | null;
  /** Set when a file-sourced automation was paused through the API; survives re-applying the file. */
  paused_overlay: number;
  latest_version: number;
  description: string | null;
  created_at: number;
  updated_at: number;
}

export interface AutomationVersionTable {
  automation_id: string;
  version: number;
  definition: string;
  hash: string;
  created_at: number;
}

export interface TriggerTable {
  automation_id: string;
  trigger_id: string;
  type: string;
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
  trigger_kind: string;
  /** JSON activation envelope */
  activation: string;
  idempotency_key: string | null;
  /** JSON */
  inputs: string;
  status: string;
  waiting_for: string | null;
  skip_reason: string | null;
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
}

export interface StepTable {
  run_id: string;
  step_id: string;
  /** position in the plan; on_failure steps come after the main ones */
  idx: number;
  status: string;
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
  waiting_for: string | null;
}

export interface RunEventTable {
  run_id: string;
  seq: number;
  type: string;
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
  rota_meta: { key: string; value: string };
}
