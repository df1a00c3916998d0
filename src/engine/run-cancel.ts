/**
 * Canceling one run (SPEC §3 cancel). A run that no node executes (queued, waiting) ends
 * `canceled` in one transaction; a running one is marked `cancel_requested`, which its owner
 * sees at its next commit or heartbeat (or at once, when it runs on this node) and then aborts
 * the in-flight step. Canceling a run cancels the child runs it waits for (`run_automation` with
 * `wait: true`): the transaction that ends it `canceled` (here, or the executor's flush) asks
 * them to cancel too (`requestCancelOfChildren`), so a crash after that commit leaves none
 * running; children it does not wait for are independent.
 */
import { isTerminalRun, RunEventType, RunStatus } from '../states.js';
import type { Conn } from '../store/connect.js';
import { appendRunEvents, cancelOpenSteps, childrenWaitedFor, getRunRowForUpdate, requestCancelOfChildren, wakeQueuedInWorkspace, wakeQueued, wakeRun, type RunRow } from '../store/runs.js';
import { canceledRunError, toErrorShape } from '../errors.js';
import type { EngineContext } from './context.js';
import type { Worker } from './worker.js';
import { observeRunEnded } from './run-writer.js';

export type CancelOutcome =
  /** the run had already ended, or ended `canceled` now */
  | { kind: 'ended' }
  /** the run is executing: its owner was asked to stop; `local` when that owner is this node */
  | { kind: 'requested'; local: boolean };

export class RunCancel {
  constructor(private readonly ctx: EngineContext, private readonly worker: Worker) {}

  async request(runId: string): Promise<CancelOutcome> {
    const now = this.ctx.clock.now();
    const decided = await this.ctx.store.db.transaction().execute(async (tx) => {
      // Locked: a run that is committing its suspension is either still running here (then its
      // flush sees the request and makes it claimable at once) or already waiting (canceled now).
      const row = await getRunRowForUpdate(tx, this.ctx.store.dialect, runId);
      if (!row || isTerminalRun(row.status)) return { kind: 'ended' as const, canceled: null };
      if (row.status === RunStatus.running) {
        if (row.cancel_requested === 1) return { kind: 'requested' as const, canceled: null };
        await appendRunEvents(tx, runId, [{ type: RunEventType.run_cancel_requested, data: null, key: RunEventType.run_cancel_requested }], now, { cancel_requested: 1 });
        return { kind: 'requested' as const, canceled: null };
      }
      await cancelNow(tx, row, now);
      if (this.ctx.config.limits.workspaceConcurrency !== null && row.status === RunStatus.waiting) await wakeQueuedInWorkspace(tx, row.workspace_id, now);
      return { kind: 'ended' as const, canceled: { ...row, status: RunStatus.canceled, ended_at: now } };
    });
    if (decided.canceled) {
      observeRunEnded(this.ctx, decided.canceled);
      this.ctx.hooks.runEnded(decided.canceled);
    }
    if (decided.kind === 'ended') return { kind: 'ended' };
    return { kind: 'requested', local: this.worker.cancelLocal(runId) };
  }

  /**
   * Called once a run's `canceled` end committed, wherever it ended (here, or on the node that
   * executed it). Its children were asked to cancel in that commit already (durable); this only
   * ends them sooner: a waiting one at once, a running one on this node by aborting its step,
   * instead of at its owner's next claim or heartbeat. Never throws.
   */
  cancelChildren(runId: string): void {
    const cancel = async () => {
      for (const child of await childrenWaitedFor(this.ctx.store.db, runId)) await this.request(child);
    };
    cancel().catch((err: unknown) => this.ctx.logger.warn({ err: toErrorShape(err), run: runId }, 'could not cancel the child runs of a canceled run'));
  }
}

/** Cancels a run that no node is executing (queued or waiting). */
async function cancelNow(tx: Conn, row: RunRow, now: number): Promise<void> {
  const error = canceledRunError();
  await cancelOpenSteps(tx, row.id, now);
  const patch = { status: RunStatus.canceled, ended_at: now, error: JSON.stringify(error), claim_at: null, lease_owner: null, waiting_for: null, cancel_requested: 1 };
  await appendRunEvents(tx, row.id, [{ type: RunEventType.run_canceled, data: { error }, key: RunEventType.run_canceled }], now, patch);
  if (row.parent_run_id) await wakeRun(tx, row.parent_run_id, row.parent_step_id, now);
  if (row.concurrency_limit !== null) await wakeQueued(tx, row.automation_id, now);
  await requestCancelOfChildren(tx, [row.id], now);
}
