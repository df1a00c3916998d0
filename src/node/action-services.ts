/**
 * The services an action of one run step may use (ActionServices): publishing events, starting
 * child runs and reading runs, beside the approvals and waits services of that step.
 */
import { TriggerKind } from '../states.js';
import type { ActionServices } from '../actions/types.js';
import type { RunCreation } from '../engine/run-creation.js';
import { findAutomation } from '../store/automations.js';
import type { Store } from '../store/connect.js';
import { NotFoundError } from '../errors.js';
import type { ApprovalsService } from './approvals-service.js';
import type { EventsService } from './events-service.js';
import type { RunsService } from './runs-service.js';
import type { WaitsService } from './waits-service.js';

export interface ActionServiceDeps {
  store: Store;
  creation: RunCreation;
  runs: RunsService;
  events: EventsService;
  approvals: ApprovalsService;
  waits: WaitsService;
}

export function actionServicesFor(deps: ActionServiceDeps, run: { id: string; workspace_id: string }, stepId: string): ActionServices {
  return {
    emitEvent: async (event) => {
      const view = await deps.events.publish(run.workspace_id, event, `run:${run.id}`);
      return { id: view.id, duplicate: view.duplicate === true };
    },
    startRun: async (req) => {
      const automation = await findAutomation(deps.store.db, run.workspace_id, req.automation);
      if (!automation) throw new NotFoundError(`automation "${req.automation}" not found in this workspace`);
      const { runId } = await deps.creation.create({
        workspaceId: run.workspace_id,
        automationId: automation.id,
        inputs: req.inputs,
        idempotencyKey: req.idempotencyKey,
        trigger: { id: 'run_automation', kind: TriggerKind.manual, source: `run:${run.id}` },
        parent: req.parent,
      });
      return { runId };
    },
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
