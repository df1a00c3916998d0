/**
 * The circuit breaker (`execution.pause_after_failures: N`): after N consecutive failed or
 * timed-out runs the automation is paused with reason `circuit_breaker`. The count is kept on the
 * automation row, updated in the transaction that ends each run (store/run-flush.ts), so it holds
 * across restarts and nodes; a success resets it, a canceled run neither counts nor resets.
 */
import type { EngineContext } from './context.js';
import type { RunRow } from '../store/runs.js';
import { pauseForFailures } from '../store/automations.js';
import { holdQueuedRuns } from '../store/runs.js';
import { PauseReason } from '../states.js';
import { toErrorShape } from '../errors.js';

/** Called after a failed run's end committed with the automation's new count. Never throws. */
export async function tripIfDue(ctx: EngineContext, run: RunRow, failures: number, limit: number): Promise<void> {
  try {
    if (failures < limit) return;
    const now = ctx.clock.now();
    // Conditional on `active`: of several nodes ending runs at once, one pauses and publishes.
    const paused = await pauseForFailures(ctx.store.db, run.automation_id, now);
    if (!paused) return;
    await holdQueuedRuns(ctx.store.db, run.automation_id);
    ctx.logger.warn({ automation: paused.name, failures }, `automation paused after ${failures} consecutive failed runs (execution.pause_after_failures: ${limit})`);
    ctx.notifier.schedulesChanged();
    ctx.hooks.automationPaused(paused.workspace_id, paused, PauseReason.circuit_breaker, now, { failures, pause_after_failures: limit, run_id: run.id });
  } catch (err) {
    ctx.logger.warn({ err: toErrorShape(err), run: run.id }, 'could not apply the circuit breaker');
  }
}
