/**
 * The services an action of one run step may use (ActionServices): publishing events, starting
 * child runs and reading runs, beside the approvals and waits services of that step.
 */
import { AutomationStatus, TriggerKind } from '../states.js';
import type { ActionServices } from '../actions/types.js';
import { automationNotActive, type RunCreation } from '../engine/run-creation.js';
import type { FireService } from '../engine/fire.js';
import type { PlanCache } from '../engine/plan-cache.js';
import { findAutomation } from '../store/automations.js';
import { findRunByIdempotencyKey } from '../store/runs.js';
import type { Store } from '../store/connect.js';
import { ErrorCode, NotFoundError, RotaError } from '../errors.js';
import type { ApprovalsService } from './approvals-service.js';
import type { EventsService } from './events-service.js';
import type { RunsService } from './runs-service.js';
import type { WaitsService } from './waits-service.js';

export interface ActionServiceDeps {
  store: Store;
  creation: RunCreation;
  fires: FireService;
  plans: PlanCache;
  /** `limits.maxDepth` of the configuration */
  maxDepth: number;
  runs: RunsService;
  events: EventsService;
  approvals: ApprovalsService;
  waits: WaitsService;
}

export function actionServicesFor(deps: ActionServiceDeps, run: { id: string; workspace_id: string; depth: number }, stepId: string): ActionServices {
  return {
    emitEvent: async (event) => {
      const view = await deps.events.publish(run.workspace_id, event, `run:${run.id}`);
      return { id: view.id, duplicate: view.duplicate === true };
    },
    startRun: (req) => startChildRun(deps, run, req),
    getRun: async (runId) => {
      try {
        const view = await deps.runs.get(run.workspace_id, runId);
        return { id: view.id, status: view.status, output: view.output, error: view.error };
      } catch (err) {
        if (err instanceof NotFoundError) return null;
        throw err;
      }
    },
    ...deps.approvals.forStep(run, stepId),
    ...deps.waits.forStep(run, stepId),
  };
}

/**
 * A child run is admitted like any other run: its automation must be active (checked again under
 * the row lock when it is created), its fire limit holds, and its depth stays within
 * `limits.maxDepth`. A re-executed step finds the child it already started before any check.
 */
async function startChildRun(deps: ActionServiceDeps, run: { id: string; workspace_id: string; depth: number }, req: Parameters<ActionServices['startRun']>[0]): Promise<{ runId: string }> {
  const { db } = deps.store;
  const automation = await findAutomation(db, run.workspace_id, req.automation);
  if (!automation) throw new NotFoundError(`automation "${req.automation}" not found in this workspace`);
  const existing = await findRunByIdempotencyKey(db, automation.id, req.idempotencyKey);
  if (existing) return { runId: existing.id };
  const depth = run.depth + 1;
  if (depth > deps.maxDepth) {
    throw new RotaError(ErrorCode.depth_exceeded, `run ${run.id} is at depth ${run.depth}; a run of "${automation.name}" would exceed the limit of ${deps.maxDepth} nested runs (limits.max_depth, ROTA_MAX_DEPTH)`, {
      details: { automation: automation.name, depth, max_depth: deps.maxDepth },
    });
  }
  if (automation.status !== AutomationStatus.active) throw automationNotActive(automation);
  const { definition } = await deps.plans.get(db, automation.id, automation.latest_version);
  if (definition.execution?.fire_limit) await deps.fires.checkManualLimit(automation.id, definition);
  await deps.fires.checkDailyBudget(automation.id, definition);
  const { runId } = await deps.creation.create({
    workspaceId: run.workspace_id,
    automationId: automation.id,
    automationRow: automation,
    inputs: req.inputs,
    idempotencyKey: req.idempotencyKey,
    trigger: { id: 'run_automation', kind: TriggerKind.manual, source: `run:${run.id}` },
    parent: req.parent,
    depth,
    requireActive: true,
    traceparent: req.traceparent,
  });
  return { runId };
}
