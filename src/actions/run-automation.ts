import { ErrorCode, NonRetriableError } from '../errors.js';
import { RunStatus, UNFINISHED_RUN_STATUSES, WaitingFor } from '../states.js';
import type { ActionContext, ActionDefinition, Suspension } from './types.js';

export interface RunAutomationConfig {
  automation: string;
  inputs?: Record<string, unknown>;
  wait?: boolean;
}

export interface RunAutomationOutput {
  run_id: string;
  status?: RunStatus;
  output?: unknown;
}

interface ChildState {
  run_id: string;
}

type ChildRun = NonNullable<Awaited<ReturnType<ActionContext['services']['getRun']>>>;

const UNFINISHED: ReadonlySet<string> = new Set(UNFINISHED_RUN_STATUSES);

async function checkChild(ctx: ActionContext<RunAutomationConfig>, runId: string): Promise<RunAutomationOutput | Suspension> {
  const child = await ctx.services.getRun(runId);
  if (!child) {
    throw new NonRetriableError(`child run ${runId} no longer exists`, { code: ErrorCode.child_run_failed, details: { run_id: runId } });
  }
  if (UNFINISHED.has(child.status)) return ctx.suspend(WaitingFor.child_run, null, { run_id: runId } satisfies ChildState);
  if (child.status === RunStatus.succeeded) return { run_id: runId, status: child.status, output: child.output };
  throw childFailed(ctx.config.automation, child);
}

function childFailed(automation: string, child: ChildRun): NonRetriableError {
  return new NonRetriableError(`child run ${child.id} of ${automation} ended ${child.status}`, {
    code: ErrorCode.child_run_failed,
    details: { run_id: child.id, status: child.status, error: child.error },
  });
}

async function handler(ctx: ActionContext<RunAutomationConfig>): Promise<RunAutomationOutput | Suspension> {
  const state = ctx.state as ChildState | undefined;
  if (state) return checkChild(ctx, state.run_id);
  const { automation, inputs = {}, wait = true } = ctx.config;
  // Keyed by run and step (not attempt): a re-executed step finds the child it already started.
  const { runId } = await ctx.services.startRun({
    automation,
    inputs,
    idempotencyKey: `${ctx.run.id}:${ctx.step.id}`,
    parent: { runId: ctx.run.id, stepId: ctx.step.id },
    ...(ctx.trace ? { traceparent: ctx.trace.traceparent } : {}),
  });
  ctx.log.info(`started run ${runId} of ${automation}`);
  if (!wait) return { run_id: runId };
  return checkChild(ctx, runId);
}

/**
 * `run_automation`: starts a run of another automation of the workspace and, by default, waits
 * (durably) for it to finish.
 *
 * @example
 * - id: report
 *   action: run_automation
 *   with: { automation: weekly-report, inputs: { team: "{{ inputs.team }}" } }
 * # {{ steps.report.output.output }} is the child run's output
 */
export const runAutomationAction: ActionDefinition<RunAutomationConfig, RunAutomationOutput> = {
  type: 'run_automation',
  description:
    'Starts a run of another automation in this workspace with the given inputs (once per step, even ' +
    'when re-executed). With wait (default true) the step waits, holding no worker slot, and outputs ' +
    '{run_id, status, output}; a child that fails, is canceled or times out fails the step with ' +
    'child_run_failed. With wait: false it outputs {run_id} at once.',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['automation'],
    properties: {
      automation: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'Automation name' },
      inputs: { type: 'object' },
      wait: { type: 'boolean', default: true },
    },
  },
  outputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['run_id'],
    properties: { run_id: { type: 'string' }, status: { type: 'string' }, output: {} },
  },
  handler,
};
