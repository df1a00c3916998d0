/**
 * A node's internals, kept out of the public `Rota` type: tests, benchmarks and tools reach them
 * through `rota/testing` (`internalsOf(rota)`), never an embedding application's code path.
 */
import type { EngineContext } from '../engine/context.js';
import type { FireRequest, FireResult } from '../engine/fire.js';
import type { Worker } from '../engine/worker.js';
import type { RetentionSweeper } from '../engine/retention-sweeper.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { Store } from '../store/connect.js';

export interface RotaInternals {
  readonly context: EngineContext;
  readonly store: Store;
  readonly worker: Worker;
  readonly scheduler: Scheduler;
  /** the retention sweeper: `sweep()` runs one now; `stats` are its running totals */
  readonly sweeper: RetentionSweeper;
  /** Turns a trigger's activation into a run (or a recorded `skipped` run); see engine/fire.ts. */
  fire(request: FireRequest): Promise<FireResult>;
  /** Exports the node's ended spans now (nothing without tracing). */
  flushTraces(): Promise<void>;
}

const INTERNALS = new WeakMap<object, RotaInternals>();

export function registerInternals(rota: object, internals: RotaInternals): void {
  INTERNALS.set(rota, internals);
}

export function internalsOf(rota: object): RotaInternals {
  const internals = INTERNALS.get(rota);
  if (!internals) throw new TypeError('not a Rota node made by createRota');
  return internals;
}
