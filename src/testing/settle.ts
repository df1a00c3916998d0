/**
 * "Time stands still while work is under way": `createTestRota().advance` moves its fake clock
 * only once the node has nothing left to do at the current time, so a run fired at 02:00 runs at
 * 02:00 (not at whatever time the clock reached by the time the worker got to it) and its run
 * timeout cannot fire in the middle of a step that is only waiting for real I/O.
 */
import { sql } from 'kysely';
import type { Store } from '../store/connect.js';
import { RunStatus, StepStatus } from '../states.js';

/** Real-time bound of one settle; past it the clock moves on anyway (a step that never ends). */
const SETTLE_LIMIT_MS = 10_000;

/**
 * Resolves once, twice in a row 2 ms apart, no run is claimable at `now`, no step is executing,
 * and every running run is parked (a step of it waits: a retry delay, a parallel wait). A
 * claimable run wakes the worker (`wakeWorker`), as a serving node's poll would, only sooner.
 */
export async function settle(store: Store, now: number, wakeWorker: () => void): Promise<void> {
  const deadline = Date.now() + SETTLE_LIMIT_MS;
  let quiet = 0;
  while (quiet < 2 && Date.now() < deadline) {
    quiet = (await busy(store, now, wakeWorker)) ? 0 : quiet + 1;
    await new Promise((resolve) => setTimeout(resolve, quiet === 0 ? 5 : 2));
  }
}

/**
 * The next time after `now` at which work starts without a trigger: a queued or waiting run
 * becomes claimable (a sleep ends, a wait times out) or a step's retry delay ends; null: none.
 */
export async function nextWakeAt(store: Store, now: number): Promise<number | null> {
  const run = await store.db
    .selectFrom('runs')
    .select((eb) => eb.fn.min('claim_at').as('next'))
    .where('status', 'in', [RunStatus.queued, RunStatus.waiting])
    .where('claim_at', '>', now)
    .executeTakeFirst();
  const step = await store.db
    .selectFrom('steps')
    .select((eb) => eb.fn.min('wake_at').as('next'))
    .where('status', '=', StepStatus.waiting)
    .where('wake_at', '>', now)
    .executeTakeFirst();
  const times = [run?.next, step?.next].filter((t) => t !== null && t !== undefined).map(Number);
  return times.length > 0 ? Math.min(...times) : null;
}

async function busy(store: Store, now: number, wakeWorker: () => void): Promise<boolean> {
  const db = store.db;
  const claimable = await db
    .selectFrom('runs')
    .select('id')
    .where('status', 'in', [RunStatus.queued, RunStatus.waiting])
    .where('claim_at', '<=', now)
    .limit(1)
    .executeTakeFirst();
  if (claimable) {
    wakeWorker();
    return true;
  }
  const executing = await db.selectFrom('steps').select('run_id').where('status', '=', StepStatus.running).limit(1).executeTakeFirst();
  if (executing) return true;
  const unparked = await db
    .selectFrom('runs')
    .select('id')
    .where('status', '=', RunStatus.running)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('steps').select(sql`1`.as('one')).whereRef('steps.run_id', '=', 'runs.id').where('steps.status', '=', StepStatus.waiting))),
    )
    .limit(1)
    .executeTakeFirst();
  return unparked !== undefined;
}
