import type { Clock } from '../clock.js';
import type { IdGenerator } from '../ids.js';
import type { Store } from '../store/connect.js';
import type { RotaConfig } from '../config/types.js';
import type { ActionRegistry } from '../actions/registry.js';
import type { ActionServices } from '../actions/types.js';
import type { PlanCache } from './plan-cache.js';
import type { Notifier } from './notifier.js';
import type { Logger } from './logger.js';
import type { CommitQueue } from './commit-queue.js';
import type { RunRow } from '../store/runs.js';
import type { Transaction } from 'kysely';
import type { DB } from '../store/schema.js';
import type { EventRow } from '../store/events.js';

/** Everything the engine's systems share, passed explicitly (no singletons). */
export interface EngineContext {
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  config: RotaConfig;
  actions: ActionRegistry;
  plans: PlanCache;
  notifier: Notifier;
  /** group commit of run state changes (see commit-queue.ts) */
  commits: CommitQueue;
  logger: Logger;
  /** services for actions of one run (emit events, start child runs, read runs) */
  servicesFor(run: { id: string; workspace_id: string }, stepId: string): ActionServices;
  random: () => number;
  /** Set by the facade: a run's terminal state committed (publishes Rota's `run.*` events). Must not throw. */
  runEnded?: (run: RunRow) => void;
  /**
   * Set by the facade: called in the transaction that stored a new (not duplicate) event; matches
   * the workspace's `wait_for_event` steps. Returns what to do once that transaction committed.
   */
  eventStored?: (tx: Transaction<DB>, event: EventRow) => Promise<() => void>;
}
