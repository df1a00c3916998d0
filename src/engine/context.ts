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
import type { Telemetry } from '../telemetry.js';
import type { Tracer } from '@opentelemetry/api';

/**
 * The calls the run core makes into the layers above it (triggers, the node's services). They
 * are one typed object, bound once when a node is wired (node/rota.ts), so that the core never
 * imports those layers and no system is completed by setters after construction.
 */
export interface EngineHooks {
  /** A run's terminal state committed (publishes Rota's `run.*` events). Must not throw. */
  runEnded(run: RunRow): void;
  /** An automation was paused by the engine (circuit breaker): publishes `automation.paused`. Must not throw. */
  automationPaused(workspaceId: string, automation: { id: string; name: string }, reason: string, at: number, details: Record<string, unknown>): void;
  /** The services an action of one run step may use (events, child runs, approvals, waits). */
  servicesFor(run: { id: string; workspace_id: string; depth: number }, stepId: string): ActionServices;
  /**
   * The values of the workspace secrets `names` that are set (missing ones are absent), read when
   * a step that uses them is invoked, never cached across steps (node/secrets-service.ts).
   */
  secrets(workspaceId: string, names: string[]): Promise<Map<string, string>>;
}

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
  random: () => number;
  hooks: EngineHooks;
  /** where the core reports what it observes (metrics, operator log lines); never throws */
  telemetry: Telemetry;
  /**
   * This node's tracer when it exports traces (`tracing.endpoint`), else null: then no span is
   * made at all. Per node, never the global provider, so nodes in one process trace apart.
   */
  tracer: Tracer | null;
}
