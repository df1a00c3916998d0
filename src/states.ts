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
const TERMINAL_RUN = new Set<string>([RunStatus.succeeded, RunStatus.failed, RunStatus.canceled, RunStatus.timed_out, RunStatus.skipped] satisfies TerminalRunStatus[]);
export function isTerminalRun(status: string): status is TerminalRunStatus {
  return TERMINAL_RUN.has(status);
}
export const ACTIVE_RUN_STATUSES = [RunStatus.running, RunStatus.waiting] as const;

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

export const Scope = {
  automations_read: 'automations:read',
  automations_write: 'automations:write',
  runs_read: 'runs:read',
  runs_write: 'runs:write',
  approvals_write: 'approvals:write',
  events_write: 'events:write',
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

