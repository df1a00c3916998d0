/**
 * `save-as-automation` (SPEC §6): a succeeded run's realized plan frozen into a new automation,
 * or into a new version of an existing one (definition/freeze.ts does the freezing). The saved
 * definition goes through the same apply as any other — every definition check, secrets sealed,
 * triggers synced — and its version records the run and the freezability report.
 */
import { findAutomation, getVersion } from '../store/automations.js';
import { getRunRow, getStepRows } from '../store/runs.js';
import type { EngineContext } from '../engine/context.js';
import { freezeRun, type FreezeReport, type FreezeRequest } from '../definition/freeze.js';
import { isPlanningStep } from '../definition/planning.js';
import type { Definition } from '../definition/types.js';
import { ConflictError, DefinitionError, NotFoundError, type ErrorDetail } from '../errors.js';
import { compileDefinition, definitionHash, invalidDefinition } from '../definition/parse.js';
import { AutomationStatus, RunStatus } from '../states.js';
import type { AutomationsService } from './automations-service.js';
import type { ApplyWarning, AutomationView } from './views.js';

export interface SaveRunRequest extends FreezeRequest {
  /** report what the save would do, write nothing */
  dry_run?: boolean;
}

export interface SaveRunResult {
  dry_run: boolean;
  /** the saved automation; null on a dry run */
  automation: AutomationView | null;
  created: boolean;
  /** false when the automation's latest version already was this definition */
  changed: boolean;
  /** the definition that was (or would be) saved */
  definition: Definition;
  report: FreezeReport;
  warnings: ApplyWarning[];
}

export class SavedWorkflowsService {
  constructor(private readonly ctx: EngineContext, private readonly automations: AutomationsService) {}

  async save(workspaceId: string, runId: string, request: SaveRunRequest): Promise<SaveRunResult> {
    const { db } = this.ctx.store;
    const run = await getRunRow(db, runId);
    if (!run || run.workspace_id !== workspaceId) throw new NotFoundError(`run "${runId}" not found`);
    if (run.status !== RunStatus.succeeded) {
      throw new ConflictError(`run ${runId} is ${run.status}: only a succeeded run's plan can be saved (retry it, or save another run)`);
    }
    const { definition } = await this.ctx.plans.get(db, run.automation_id, run.version);
    if (!definition.steps.some(isPlanningStep)) {
      throw new ConflictError(`run ${runId} has no planning step (an agent step with plan:): there is no plan to freeze; apply its definition instead`);
    }
    const rows = await getStepRows(db, runId);
    const steps = new Map(rows.map((r) => [r.step_id, { status: r.status, output: r.output === null ? null : (JSON.parse(r.output) as unknown) }]));
    const existing = await findAutomation(db, workspaceId, request.name);
    if (existing?.source === 'file') {
      throw new ConflictError(`automation "${request.name}" is defined in the file ${existing.source_path ?? ''}; save under another name (the API may not edit it)`);
    }
    if (existing?.status === AutomationStatus.archived) throw new ConflictError(`automation "${request.name}" is archived; unarchive it first or save under another name`);
    const target = existing ? (JSON.parse((await getVersion(db, existing.id, existing.latest_version))!.definition) as Definition) : null;
    const frozen = freezeRun(
      { runId, definition, inputs: JSON.parse(run.inputs) as Record<string, unknown>, steps },
      request,
      (type) => this.ctx.actions.get(type),
      target,
    );
    const problems: ErrorDetail[] = [...frozen.problems];
    // the definition's own checks too, so that one answer lists everything; where freezing already
    // explained a path (an undeclared input), the definition's message for it would only confuse
    const more = async () => {
      const seen = new Set(problems.map((p) => p.path));
      return (await this.#definitionProblems(frozen.definition, workspaceId)).filter((p) => !seen.has(p.path));
    };
    if (request.dry_run === true) {
      problems.push(...(await more()));
      if (problems.length > 0) throw saveRefused(problems, frozen.definition);
      const latest = existing ? await getVersion(db, existing.id, existing.latest_version) : undefined;
      const changed = latest === undefined || latest.hash !== definitionHash(compileDefinition(frozen.definition, (type) => this.ctx.actions.get(type)).definition);
      return { dry_run: true, automation: null, created: existing === undefined, changed, definition: frozen.definition, report: frozen.report, warnings: [] };
    }
    if (problems.length > 0) throw saveRefused([...problems, ...(await more())], frozen.definition);
    try {
      const applied = await this.automations.apply(workspaceId, frozen.definition, { source: 'api', savedFrom: { runId, report: frozen.report } });
      return { dry_run: false, ...applied, definition: frozen.definition, report: frozen.report };
    } catch (err) {
      if (err instanceof DefinitionError) throw saveRefused(err.problems, frozen.definition);
      throw err;
    }
  }

  async #definitionProblems(definition: Definition, workspaceId: string): Promise<ErrorDetail[]> {
    try {
      await this.automations.validate(definition, workspaceId);
      return [];
    } catch (err) {
      if (err instanceof DefinitionError) return err.problems;
      throw err;
    }
  }
}

/** One 400 for every problem; a problem of a saved step names the step, as the paths point into a definition not returned. */
function saveRefused(problems: ErrorDetail[], definition: Definition): DefinitionError {
  const named = problems.map((p) => {
    const match = /^\$\.(steps|execution\.on_failure)\[(\d+)\]/.exec(p.path);
    const step = match ? (match[1] === 'steps' ? definition.steps : definition.execution?.on_failure)?.[Number(match[2])] : undefined;
    return step ? { ...p, message: `${p.message} (in step "${step.id}")` } : p;
  });
  const error = invalidDefinition(named);
  return new DefinitionError(`the run cannot be saved as written: ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} (paths into the saved definition, or $.inputs into the request)`, error.problems);
}
