/**
 * One Rota node: builds its systems in dependency order from explicit constructor arguments and
 * returns what an embedding application uses. Wiring only; every system lives in its own file.
 */
import { AutomationStatus, RunStatus } from '../states.js';
import { toErrorShape } from '../errors.js';
import type { DeepPartial, RotaConfig } from '../config/types.js';
import { completeConfig } from '../config/config.js';
import { systemClock, type Clock } from '../clock.js';
import { createUlidGenerator, type IdGenerator } from '../ids.js';
import { openStore, type Store } from '../store/connect.js';
import { createBuiltinRegistry } from '../actions/registry.js';
import type { ActionDefinition } from '../actions/types.js';
import { createAgentAction } from '../agent/agent-action.js';
import { createAgentRuntime } from '../agent/agent-runtime.js';
import type { ToolDefinition } from '../agent/tool.js';
import type { EngineContext, EngineHooks } from '../engine/context.js';
import { createLogger, type Logger } from '../engine/logger.js';
import { Notifier } from '../engine/notifier.js';
import { CommitQueue } from '../engine/commit-queue.js';
import { PlanCache } from '../engine/plan-cache.js';
import { Worker } from '../engine/worker.js';
import { RunCreation } from '../engine/run-creation.js';
import { RunCancel } from '../engine/run-cancel.js';
import { FireService } from '../engine/fire.js';
import { Scheduler, type SchedulerOptions } from '../scheduler/scheduler.js';
import { loadSecretKey, SecretVault } from '../triggers/secrets.js';
import { SecretsService } from './secrets-service.js';
import { EventTriggerIndex } from '../triggers/event-index.js';
import { EventService } from '../triggers/events.js';
import { WebhookService } from '../triggers/webhooks.js';
import { TriggersService } from '../triggers/triggers-service.js';
import { TriggerHealth } from '../triggers/trigger-health.js';
import { AutomationsService } from './automations-service.js';
import { AccessService } from './access-service.js';
import { ApprovalsService } from './approvals-service.js';
import { getRunRow } from '../store/runs.js';
import { WaitsService } from './waits-service.js';
import { EventsService } from './events-service.js';
import { RunsService } from './runs-service.js';
import { RunsBulkService } from './runs-bulk-service.js';
import { SavedWorkflowsService } from './saved-workflows-service.js';
import { RunWatch } from './run-watch.js';
import { RetentionSweeper, type SweepBatch } from '../engine/retention-sweeper.js';
import { RetentionService } from './retention-service.js';
import { actionServicesFor } from './action-services.js';
import { rotaService } from './rota-service.js';
import { registerInternals } from './internals.js';
import type { RotaService } from './service.js';
import { NodeMetrics } from '../observe/metrics.js';
import { createNodeTelemetry } from '../observe/node-telemetry.js';
import { countOpenRuns } from '../store/run-counts.js';
import { startTracing } from './tracing.js';

export interface CreateRotaOptions {
  /**
   * Configuration (see `resolveConfig`), partial at any depth: what is left out keeps its default,
   * e.g. `{ dataDir: './.rota', worker: { concurrency: 4 } }`.
   */
  config?: DeepPartial<RotaConfig>;
  /** Custom actions registered beside the built-ins. */
  actions?: ActionDefinition[];
  /** Tools that `agent` steps may list in `tools:`, beside the built-ins and MCP servers' tools. */
  tools?: ToolDefinition[];
  /**
   * The node's time and timers (default `systemClock`): worker polls and leases, step and run
   * timeouts, retry delays, sleeps and waits all run on it. Tests inject a fake clock to make them
   * exact; see `Clock` for the contract a custom clock must keep.
   */
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  /** Use an already open store (tests); otherwise one is opened from the configuration. */
  store?: Store;
  /** Scheduler tuning and hooks (batch size, lateness callback for benchmarks). */
  scheduler?: SchedulerOptions;
  /** Called with each retention batch's result (runs deleted by reason, rows, duration), e.g. for metrics. */
  onSweep?: (batch: SweepBatch) => void;
}

export interface Rota extends RotaService {
  readonly config: RotaConfig;
  /** the node's logger (pino): `rota serve` hands it to the API so every line has one format */
  readonly logger: Logger;
  /** Creates the default workspace and, on first start, an admin token (returned only then). */
  bootstrap(): Promise<{ adminToken: string | null }>;
  /** Starts this node's workers (claiming and executing runs) and its scheduler, as configured. */
  start(): Promise<void>;
  /** Stops claiming, lets in-flight steps finish for `graceMs`, releases leases, closes the store. */
  stop(opts?: { graceMs?: number; closeStore?: boolean }): Promise<void>;
}

/**
 * Creates an embedded Rota node.
 *
 * @example
 * const rota = await createRota({ config: { dataDir: './.rota' }, actions: [myAction] });
 * await rota.bootstrap();
 * await rota.start();
 * const ws = await rota.workspaces.ensure('default');
 * await rota.automations.apply(ws.id, { name: 'hello', steps: [{ id: 'a', action: 'set', with: { x: 1 } }] });
 * const { run } = await rota.runs.start(ws.id, 'hello', { inputs: {} });
 */
export async function createRota(options: CreateRotaOptions = {}): Promise<Rota> {
  const config = completeConfig(options.config);
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? createUlidGenerator(() => clock.now());
  const logger = options.logger ?? createLogger(config.logLevel, { format: config.logFormat });
  const store = options.store ?? (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, backgroundCheckpoints: { onWarning: (m) => logger.warn(m) }, onNotice: (m) => logger.info(m) }));
  const tracing = await startTracing(config.tracing, config.nodeId, logger);
  const metrics = config.metrics.enabled
    ? new NodeMetrics({ automationLabels: config.metrics.automationLabels, gaugeCacheMs: config.metrics.gaugeCacheMs, openRuns: () => countOpenRuns(store.db), logger })
    : null;
  const telemetry = createNodeTelemetry({ logger, metrics, slowCommitMs: config.slowCommitMs });
  const agent = createAgentRuntime({ store, config, ids, tools: options.tools, telemetry });
  const actions = createBuiltinRegistry([createAgentAction(agent), ...(options.actions ?? [])]);
  // The run core calls up into the triggers and the node's services only through these hooks;
  // they are called once runs execute, after every system below exists.
  const hooks: EngineHooks = {
    runEnded: (run) => {
      events.runEnded(run);
      if (run.status === RunStatus.canceled) cancel.cancelChildren(run.id);
    },
    automationPaused: (ws, automation, reason, at, details) => {
      // as a pause through the API does (statusChanged below)
      events.triggersChanged(ws).catch((err: unknown) => logger.warn({ err: toErrorShape(err) }, 'could not invalidate the event triggers of a paused automation'));
      events.automationPaused(ws, automation, reason, at, details);
    },
    servicesFor: (run, stepId) => actionServicesFor({ store, creation, fires, plans: ctx.plans, maxDepth: config.limits.maxDepth, runs, events: publisher, approvals, waits }, run, stepId),
    secrets: (workspaceId, names) => secrets.resolve(workspaceId, names),
  };
  const ctx: EngineContext = {
    ...{ store, clock, ids, config, actions, logger, hooks, telemetry, random: Math.random, tracer: tracing?.tracer ?? null },
    ...{ plans: new PlanCache(actions), notifier: new Notifier(), commits: new CommitQueue(store, clock, telemetry) },
  };

  const worker = new Worker(ctx);
  const cancel = new RunCancel(ctx, worker);
  const creation = new RunCreation(ctx);
  const fires = new FireService(ctx, creation);
  const watch = new RunWatch(ctx);
  const runs = new RunsService(ctx, { creation, fires, cancel, watch });
  const approvals = new ApprovalsService(ctx, (ws, id) => runs.cancel(ws, id), (runId, name, data, key) => {
    getRunRow(store.db, runId)
      .then((run) => run && events.approvalEvent(run, name, data, key))
      .catch((err: unknown) => logger.warn({ err: String(err), event: name }, 'could not publish an approval event'));
  });
  const waits = new WaitsService(ctx);
  const health = new TriggerHealth(ctx);
  const fire = health.wrap(fires.fire.bind(fires));
  const secretKey = loadSecretKey({ secretKey: config.secretKey, dataDir: config.dataDir, dialect: store.dialect });
  const vault = new SecretVault(secretKey, ids);
  const secrets = new SecretsService(ctx, secretKey);
  const events = new EventService(ctx, new EventTriggerIndex(() => store.db, () => clock.now()), fire, (tx, event) => waits.onEventStored(tx, event));
  const publisher = new EventsService(store, events);
  const webhooks = new WebhookService(ctx, vault, fire);
  const automations = new AutomationsService(ctx, {
    sealSecrets: (ws, definition) => vault.seal(store.db, { workspaceId: ws, now: clock.now() }, definition),
    secretNames: (ws) => secrets.names(ws),
    warnings: (definition) => vault.unsetEnvWarnings(definition),
    triggersChanged: async (ws) => {
      webhooks.invalidate();
      await events.triggersChanged(ws);
    },
    statusChanged: async (ws, row, status) => {
      await events.triggersChanged(ws);
      if (status === AutomationStatus.paused) events.automationPaused(ws, row, 'api', clock.now());
    },
  });
  const access = new AccessService(ctx);
  const scheduler = new Scheduler(ctx, fires, health, options.scheduler);
  const sweeper = new RetentionSweeper(ctx, { onSweep: options.onSweep });
  events.start();

  const roles = [...(config.worker.enabled ? ['worker'] : []), ...(config.scheduler.enabled ? ['scheduler'] : [])];
  const rota: Rota = {
    config,
    logger,
    ...rotaService({
      ...{ ctx, agent, access, automations, runs, publisher, approvals, waits, webhooks, secrets, metrics },
      bulk: new RunsBulkService(ctx, { runs, cancel }),
      saved: new SavedWorkflowsService(ctx, automations),
      retention: new RetentionService(store, sweeper),
      triggers: new TriggersService(ctx, { endpointsChanged: () => webhooks.invalidate(), unsetEnv: (secret) => vault.unsetEnv(secret) }),
    }),
    bootstrap: async () => ({ adminToken: (await access.bootstrap()).adminToken }),
    start: async () => {
      if (config.worker.enabled) await worker.start();
      if (config.scheduler.enabled) await scheduler.start();
      if (config.retention.enabled) sweeper.start();
      // store.describe() names the database without its credentials
      logger.info({ node: config.nodeId, roles, database: { kind: store.dialect, where: store.describe() }, metrics: config.metrics.enabled }, 'node started');
    },
    stop: async (opts = {}) => {
      logger.info({ node: config.nodeId }, 'node stopping');
      await sweeper.stop();
      await scheduler.stop();
      events.stop();
      await webhooks.close();
      await worker.stop(opts.graceMs ?? config.worker.shutdownGraceMs);
      await agent.mcp.close();
      // after the worker: the spans of the segments it just ended are exported too
      await tracing?.shutdown().catch((err: unknown) => logger.warn({ err: String(err) }, 'could not export the last traces'));
      if (opts.closeStore !== false && !options.store) await store.close();
      logger.info({ node: config.nodeId }, 'node stopped');
    },
  };
  registerInternals(rota, { context: ctx, store, worker, scheduler, sweeper, fire, flushTraces: () => tracing?.flush() ?? Promise.resolve() });
  return rota;
}
