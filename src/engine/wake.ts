/**
 * Waking a waiting step from outside its run (an approval decided, an event matched, a delegation
 * called back). The wake is written in the caller's transaction, next to what caused it.
 *
 * Race this file exists for: a handler registers its approval (or wait, or delegation) and then
 * returns its suspension; until the executor has committed the step as `waiting`, the run is
 * `running` and the executor keeps the step's state in memory, so a wake written in that window
 * would be overwritten. Such a wake (`busy`) is retried from this process until the run is
 * `waiting` (then it takes), or the step ended. The cause itself (decision, match, callback) is
 * durable already; only the prompt wake-up is best effort, the step's own timeout still applies.
 */
import type { Transaction } from 'kysely';
import type { DB } from '../store/schema.js';
import { wakeStep } from '../store/waits.js';
import type { EngineContext } from './context.js';
import { Channel } from '../store/channels.js';

export type WakeResult = 'woken' | 'busy' | 'gone';

const RETRY_BASE_MS = 25;
const RETRY_MAX_MS = 2_000;
/** ~10 minutes of retries: longer than any sibling step's default timeout (5m). */
const RETRY_ATTEMPTS = 320;

export async function wakeInTransaction(ctx: EngineContext, tx: Transaction<DB>, runId: string, stepId: string): Promise<WakeResult> {
  const result = await wakeStep(tx, runId, stepId, ctx.clock.now());
  if (result === 'woken') await ctx.store.notify(tx, Channel.wake);
  return result;
}

/** Call after the transaction committed: tells the local worker, or schedules a retry. */
export function afterWake(ctx: EngineContext, result: WakeResult, runId: string, stepId: string, attempt = 0): void {
  if (result === 'woken') return ctx.notifier.runsAvailable();
  if (result === 'gone' || attempt >= RETRY_ATTEMPTS) return;
  const retry = () => {
    ctx.store.db
      .transaction()
      .execute((tx) => wakeInTransaction(ctx, tx, runId, stepId))
      .then(
        (next) => afterWake(ctx, next, runId, stepId, attempt + 1),
        // a closed store (node stopped) ends the retries; the step's timeout still applies
        (err) => ctx.logger.debug({ run_id: runId, step_id: stepId, err: String(err) }, 'wake retry failed'),
      );
  };
  ctx.clock.setTimer(Math.min(RETRY_BASE_MS * 2 ** Math.min(attempt, 10), RETRY_MAX_MS), retry, { unref: true });
}
