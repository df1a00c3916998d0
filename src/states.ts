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

const TERMINAL_RUN = new Set<string>([RunStatus.succeeded, RunStatus.failed, RunStatus.canceled, RunStatus.timed_out, RunStatus.skipped]);
export function isTerminalRun(status: string): boolean {
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
