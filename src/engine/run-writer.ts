/**
 * Collects one run's state changes (run row, step rows, event log) and commits them in one
 * fenced transaction: nothing is written unless this node still holds the run's lease.
 */
import type { Updateable } from 'kysely';
import type { EngineContext } from './context.js';
import type { RunTable, StepTable } from '../store/schema.js';
import { appendRunEvents, updateStep, wakeQueued, wakeRun, type NewRunEvent, type RunRow } from '../store/runs.js';
import type { ErrorShape } from '../errors.js';
import type { RunEventView } from './views.js';
import { isTerminalRun, type RunStatus } from './status.js';

export class LeaseLostError extends Error {
  constructor(runId: string) {
    super(`lease on run ${runId} was lost`);
  }
}

export class RunWriter {
  #events: NewRunEvent[] = [];
  #steps = new Map<string, Updateable<StepTable>>();
  #run: Updateable<RunTable> = {};
  #finished = false;

  constructor(private readonly ctx: EngineContext, private readonly row: RunRow) {}

  event(type: string, stepId: string | null, data: unknown, key: string): void {
    this.#events.push({ type, step_id: stepId, data, key });
  }

  patchStep(stepId: string, patch: Updateable<StepTable>): void {
    this.#steps.set(stepId, { ...this.#steps.get(stepId), ...patch });
  }

  patchRun(patch: Updateable<RunTable>): void {
    this.#run = { ...this.#run, ...patch };
    Object.assign(this.row, patch);
  }

  finish(status: RunStatus, output: unknown, error: ErrorShape | null): void {
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
    this.event(`run.${status}`, null, error ? { error } : null, `run.${status}`);
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
    const result = await this.ctx.commits.run(async (tx) => {
      const res = await appendRunEvents(tx, row.id, events, now, runPatch, { owner: this.ctx.config.nodeId });
      if (!res) return null;
      for (const [stepId, patch] of steps) await updateStep(tx, row.id, stepId, patch);
      if (finished && row.parent_run_id) await wakeRun(tx, row.parent_run_id, row.parent_step_id, now);
      if (finished && row.concurrency_limit !== null) await wakeQueued(tx, row.automation_id, now);
      return res;
    });
    if (!result) throw new LeaseLostError(row.id);
    if (result.cancelRequested && !isTerminalRun(String(row.status))) this.onCancelRequested?.();
    this.publish(events, result.lastSeq, now);
    if (finished && (row.parent_run_id || row.concurrency_limit !== null)) this.ctx.notifier.runsAvailable();
  }

  /** Set by the executor: a flush saw that someone asked for this run to be canceled. */
  onCancelRequested?: () => void;

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
