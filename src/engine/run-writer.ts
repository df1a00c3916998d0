/**
 * Collects one run's state changes (run row, step rows, event log) and commits them in one
 * fenced transaction: nothing is written unless this node still holds the run's lease.
 */
import type { Updateable } from 'kysely';
import type { EngineContext } from './context.js';
import type { RunTable, StepTable } from '../store/schema.js';
import type { NewRunEvent, RunRow } from '../store/runs.js';
import type { ErrorShape } from '../errors.js';
import type { RunEventView } from './run-events.js';
import { tripIfDue } from './circuit-breaker.js';
import { isTerminalRun, RunStatus, RUN_ENDED_EVENT, type RunEventType, type TerminalRunStatus } from '../states.js';

/** An internal signal, never stored: the commit found another node owns the run, so this one stops. */
export class LeaseLostError extends Error {
  constructor(runId: string) {
    super(`lease on run ${runId} was lost`);
    this.name = 'LeaseLostError';
  }
}

/** A run's terminal state committed (by its executor, or by a cancel of a run nobody executes). */
export function observeRunEnded(ctx: EngineContext, row: RunRow): void {
  ctx.telemetry.runFinished({
    runId: row.id,
    automation: row.automation_name,
    trigger: row.trigger_kind,
    status: row.status,
    durationMs: row.started_at !== null && row.ended_at !== null ? row.ended_at - row.started_at : null,
    costUsd: Number(row.cost_usd),
  });
}

export class RunWriter {
  #events: NewRunEvent[] = [];
  /** full rows of the steps changed since the last flush (the executor's own row objects) */
  #steps = new Map<string, StepTable>();
  #run: Updateable<RunTable> = {};
  #finished = false;

  /**
   * `onCancelRequested`: a flush saw that someone asked for this run to be canceled.
   * `pauseAfterFailures`: the plan's circuit-breaker limit; without one the run's end is not
   * counted (no automation row is written on the hot path).
   */
  constructor(
    private readonly ctx: EngineContext,
    private readonly row: RunRow,
    private readonly onCancelRequested: () => void,
    private readonly pauseAfterFailures: number | null,
  ) {}

  event(type: RunEventType, stepId: string | null, data: unknown, key: string): void {
    this.#events.push({ type, step_id: stepId, data, key });
  }

  stepChanged(row: StepTable): void {
    this.#steps.set(row.step_id, row);
  }

  patchRun(patch: Updateable<RunTable>): void {
    this.#run = { ...this.#run, ...patch };
    Object.assign(this.row, patch);
  }

  finish(status: TerminalRunStatus, output: unknown, error: ErrorShape | null): void {
    const now = this.ctx.clock.now();
    this.patchRun({
      status,
      ended_at: now,
      output: output === null || output === undefined ? null : JSON.stringify(output),
      error: error ? JSON.stringify(error) : null,
      waiting_for: null,
      lease_owner: null,
      claim_at: null,
    });
    const type = RUN_ENDED_EVENT[status];
    this.event(type, null, error ? { error } : null, type);
    this.#finished = true;
  }

  async flush(): Promise<void> {
    if (this.#events.length === 0 && this.#steps.size === 0 && Object.keys(this.#run).length === 0) return;
    const events = this.#events;
    const steps = this.#steps;
    const runPatch = this.#run;
    const finished = this.#finished;
    this.#events = [];
    this.#steps = new Map();
    this.#run = {};
    const now = this.ctx.clock.now();
    const row = this.row;
    const result = await this.ctx.commits.flush({
      runId: row.id,
      owner: this.ctx.config.nodeId,
      events,
      // Serialized now: the executor keeps changing its row objects while the batch commits.
      steps: [...steps.values()].map((s) => ({ ...s })),
      patch: runPatch,
      wakeParent: finished && row.parent_run_id ? { runId: row.parent_run_id, stepId: row.parent_step_id } : null,
      wakeQueuedOf: finished && row.concurrency_limit !== null ? row.automation_id : null,
      wakeWorkspaceOf: finished && this.ctx.config.limits.workspaceConcurrency !== null ? row.workspace_id : null,
      ended: finished && this.pauseAfterFailures !== null && row.status !== RunStatus.canceled ? { automationId: row.automation_id, failed: row.status !== RunStatus.succeeded } : null,
    });
    if (!result) throw new LeaseLostError(row.id);
    if (result.cancelRequested && !isTerminalRun(String(row.status))) this.onCancelRequested();
    this.publish(events, result.lastSeq, now);
    if (finished && (row.parent_run_id || row.concurrency_limit !== null || this.ctx.config.limits.workspaceConcurrency !== null)) this.ctx.notifier.runsAvailable();
    if (finished) {
      if (result.costUsd !== undefined) row.cost_usd = result.costUsd;
      observeRunEnded(this.ctx, row);
      this.ctx.hooks.runEnded(row);
    }
    if (result.consecutiveFailures !== undefined && this.pauseAfterFailures !== null) await tripIfDue(this.ctx, row, result.consecutiveFailures, this.pauseAfterFailures);
  }


  private publish(events: NewRunEvent[], lastSeq: number, now: number): void {
    const first = lastSeq - events.length + 1;
    const views: RunEventView[] = events.map((e, i) => ({
      seq: first + i,
      type: e.type,
      step_id: e.step_id ?? null,
      data: e.data ?? null,
      created_at: new Date(now).toISOString(),
    }));
    this.ctx.notifier.publish(this.row.id, views);
  }
}
