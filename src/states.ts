/** Closed sets of the run and step state machines (SPEC §3), mirrored by CHECK constraints. */

export const RunStatus = {
  queued: 'queued',
  running: 'running',
  waiting: 'waiting',
  succeeded: 'succeeded',
  failed: 'failed',
  canceled: 'canceled',
  timed_out: 'timed_out',
  skipped: 'skipped',
} as const;
export type RunStatus = (typeof RunStatus)[keyof typeof RunStatus];

export type TerminalRunStatus = typeof RunStatus.succeeded | typeof RunStatus.failed | typeof RunStatus.canceled | typeof RunStatus.timed_out | typeof RunStatus.skipped;
export const TERMINAL_RUN_STATUSES = [RunStatus.succeeded, RunStatus.failed, RunStatus.canceled, RunStatus.timed_out, RunStatus.skipped] as const satisfies readonly TerminalRunStatus[];
const TERMINAL_RUN = new Set<string>(TERMINAL_RUN_STATUSES);
export function isTerminalRun(status: string): status is TerminalRunStatus {
  return TERMINAL_RUN.has(status);
}
/**
 * Runs that have started and not ended: they hold a slot of the automation's concurrency limit,
 * and only their event waits can match.
 */
export const ACTIVE_RUN_STATUSES = [RunStatus.running, RunStatus.waiting] as const;
/**
 * Runs that have not ended, queued ones included: what overlap admission counts and what a parent's
 * `run_automation` step keeps waiting for.
 */
export const UNFINISHED_RUN_STATUSES = [RunStatus.queued, RunStatus.running, RunStatus.waiting] as const;

export const StepStatus = {
  pending: 'pending',
  running: 'running',
  waiting: 'waiting',
  succeeded: 'succeeded',
  failed: 'failed',
  skipped: 'skipped',
  canceled: 'canceled',
} as const;
export type StepStatus = (typeof StepStatus)[keyof typeof StepStatus];

const TERMINAL_STEP = new Set<string>([StepStatus.succeeded, StepStatus.failed, StepStatus.skipped, StepStatus.canceled]);
export function isTerminalStep(status: string): boolean {
  return TERMINAL_STEP.has(status);
}

export const WaitingFor = {
  approval: 'approval',
  event: 'event',
  sleep: 'sleep',
  retry: 'retry',
  delegation: 'delegation',
  child_run: 'child_run',
} as const;
export type WaitingFor = (typeof WaitingFor)[keyof typeof WaitingFor];

export const SkipReason = {
  overlap: 'overlap',
  fire_limit: 'fire_limit',
  misfire: 'misfire',
  budget: 'budget',
  paused: 'paused',
  invalid_inputs: 'invalid_inputs',
} as const;
export type SkipReason = (typeof SkipReason)[keyof typeof SkipReason];

export const AutomationStatus = { active: 'active', paused: 'paused', archived: 'archived' } as const;
export type AutomationStatus = (typeof AutomationStatus)[keyof typeof AutomationStatus];

/** Why an automation is paused: by a person (API, CLI, file) or by its circuit breaker. */
export const PauseReason = { manual: 'manual', circuit_breaker: 'circuit_breaker' } as const;
export type PauseReason = (typeof PauseReason)[keyof typeof PauseReason];

export const Scope = {
  automations_read: 'automations:read',
  automations_write: 'automations:write',
  runs_read: 'runs:read',
  runs_write: 'runs:write',
  approvals_write: 'approvals:write',
  events_write: 'events:write',
  /** scrape `GET /metrics` (the node's figures, across workspaces) */
  metrics_read: 'metrics:read',
  admin: 'admin',
} as const;
export type Scope = (typeof Scope)[keyof typeof Scope];
export const ALL_SCOPES: Scope[] = Object.values(Scope);

/** The run log's entry types (`run_events.type`), read by the timeline, the SSE stream and the report. */
export const RunEventType = {
  run_queued: 'run.queued',
  run_skipped: 'run.skipped',
  run_started: 'run.started',
  run_resumed: 'run.resumed',
  run_lease_taken_over: 'run.lease_taken_over',
  run_waiting: 'run.waiting',
  run_released: 'run.released',
  run_cancel_requested: 'run.cancel_requested',
  run_succeeded: 'run.succeeded',
  run_failed: 'run.failed',
  run_canceled: 'run.canceled',
  run_timed_out: 'run.timed_out',
  step_started: 'step.started',
  step_succeeded: 'step.succeeded',
  step_failed: 'step.failed',
  step_skipped: 'step.skipped',
  step_canceled: 'step.canceled',
  step_waiting: 'step.waiting',
  step_retrying: 'step.retrying',
  /** a planning step's plan was accepted: its steps joined the run's plan */
  plan_accepted: 'plan.accepted',
  approval_requested: 'approval.requested',
  approval_decision: 'approval.decision',
  approval_resolved: 'approval.resolved',
  event_matched: 'event.matched',
  delegation_callback: 'delegation.callback',
  agent_model_call: 'agent.model_call',
  agent_tool_call: 'agent.tool_call',
  artifact_validated: 'artifact.validated',
  artifact_repaired: 'artifact.repaired',
  artifact_invalid: 'artifact.invalid',
  budget_raised: 'budget.raised',
  budget_exceeded: 'budget.exceeded',
} as const;
export type RunEventType = (typeof RunEventType)[keyof typeof RunEventType];

/** The run-log entry that records a run's end, per terminal status. */
export const RUN_ENDED_EVENT = {
  succeeded: RunEventType.run_succeeded,
  failed: RunEventType.run_failed,
  canceled: RunEventType.run_canceled,
  timed_out: RunEventType.run_timed_out,
  skipped: RunEventType.run_skipped,
} as const satisfies Record<TerminalRunStatus, RunEventType>;

/** The run status an entry moves the run to, where it is one (terminal or waiting). */
const STATUS_OF_EVENT: ReadonlyMap<string, RunStatus> = new Map<string, RunStatus>([
  ...Object.entries(RUN_ENDED_EVENT).map(([status, type]) => [type, status as RunStatus] as const),
  [RunEventType.run_waiting, RunStatus.waiting],
]);

export function runStatusAfter(type: string): RunStatus | null {
  return STATUS_OF_EVENT.get(type) ?? null;
}

/** Where a run came from (`runs.trigger_kind`): the trigger types of SPEC §4. */
export const TriggerKind = { schedule: 'schedule', webhook: 'webhook', event: 'event', manual: 'manual' } as const;
export type TriggerKind = (typeof TriggerKind)[keyof typeof TriggerKind];

/** What an approval is attached to (`approvals.kind`). */
export const ApprovalKind = { step: 'step', tool_call: 'tool_call', budget: 'budget' } as const;
export type ApprovalKind = (typeof ApprovalKind)[keyof typeof ApprovalKind];

export const ApprovalStatus = { pending: 'pending', approved: 'approved', rejected: 'rejected', aborted: 'aborted', expired: 'expired' } as const;
export type ApprovalStatus = (typeof ApprovalStatus)[keyof typeof ApprovalStatus];

/** The decision in force: a decided state, or for `expired` the on_timeout that was applied. */
export const ApprovalOutcome = { approved: 'approved', rejected: 'rejected', aborted: 'aborted' } as const;
export type ApprovalOutcome = (typeof ApprovalOutcome)[keyof typeof ApprovalOutcome];

export const OnTimeout = { reject: 'reject', approve: 'approve', abort: 'abort' } as const;
export type OnTimeout = (typeof OnTimeout)[keyof typeof OnTimeout];

export const EventWaitStatus = { waiting: 'waiting', matched: 'matched' } as const;
export type EventWaitStatus = (typeof EventWaitStatus)[keyof typeof EventWaitStatus];

export const DelegationStatus = { pending: 'pending', succeeded: 'succeeded', failed: 'failed' } as const;
export type DelegationStatus = (typeof DelegationStatus)[keyof typeof DelegationStatus];

/** How a webhook delivery ended (`webhook_deliveries.outcome`). */
export const DeliveryOutcome = {
  /** a run was recorded (queued, or `skipped` with a reason) */
  accepted: 'accepted',
  /** a re-delivery: the original run was returned */
  duplicate: 'duplicate',
  /** the trigger's filter did not match; the same delivery id may be sent again */
  filtered: 'filtered',
  /** authenticated, but no run (disabled trigger, malformed JSON, ...); may be sent again */
  rejected: 'rejected',
} as const;
export type DeliveryOutcome = (typeof DeliveryOutcome)[keyof typeof DeliveryOutcome];

/** A memoized agent-loop call (`agent_calls.kind`); `model` rows are the cost ledger. */
export const AgentCallKind = { model: 'model', tool: 'tool', budget: 'budget' } as const;
export type AgentCallKind = (typeof AgentCallKind)[keyof typeof AgentCallKind];

export const AgentCallStatus = { ok: 'ok', error: 'error' } as const;
export type AgentCallStatus = (typeof AgentCallStatus)[keyof typeof AgentCallStatus];
