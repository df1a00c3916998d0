/**
 * The engine facade: wires the store, the worker and the services of one Rota node. Thin by
 * design; each system lives in its own file and receives its dependencies explicitly.
 */
import type { RotaConfig } from '../config/types.js';
import { DEFAULT_CONFIG } from '../config/types.js';
import { systemClock, type Clock } from '../clock.js';
import { createUlidGenerator, type IdGenerator } from '../ids.js';
import { openStore, type Store } from '../store/connect.js';
import { createBuiltinRegistry } from '../actions/registry.js';
import { createAgentAction } from '../agent/agent-action.js';
import { createAgentRuntime } from '../agent/agent-runtime.js';
import { stepConversation } from '../agent/conversation.js';
import { automationCosts } from '../agent/costs.js';
import type { ToolDefinition } from '../agent/tool.js';
import type { ActionDefinition, ActionServices } from '../actions/types.js';
import { insertEvent, listEvents } from '../store/events.js';
import { findAutomation } from '../store/automations.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { EngineContext } from '../engine/context.js';
import { createLogger, type Logger } from '../engine/logger.js';
import { Notifier } from '../engine/notifier.js';
import { CommitQueue } from '../engine/commit-queue.js';
import { PlanCache } from '../engine/plan-cache.js';
import { WAKE_CHANNEL, Worker } from '../engine/worker.js';
import { Scheduler, type SchedulerOptions } from '../scheduler/scheduler.js';
import { TriggersService } from '../triggers/triggers-service.js';
import { RunsService } from './runs-service.js';
import { FireService, type FireRequest, type FireResult } from '../engine/fire.js';
import { AutomationsService } from './automations-service.js';
import { AccessService } from './access-service.js';
import { loadSecretKey, SecretVault } from '../triggers/secrets.js';
import { EventTriggerIndex } from '../triggers/event-index.js';
import { EventService } from '../triggers/events.js';
import { WebhookService } from '../triggers/webhooks.js';
import { ApprovalsService } from './approvals-service.js';
import { WaitsService } from './waits-service.js';
import { eventView } from './convert.js';
import type { RotaService } from './service.js';
import type { EventView, Page } from './views.js';

export interface CreateRotaOptions {
  /** Resolved configuration (see `resolveConfig`); partial values are completed with defaults. */
  config?: Partial<RotaConfig>;
  /** Custom actions registered beside the built-ins. */
  actions?: ActionDefinition[];
  /** Tools that `agent` steps may list in `tools:`, beside the built-ins and MCP servers' tools. */
  tools?: ToolDefinition[];
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  /** Use an already open store (tests); otherwise one is opened from the configuration. */
  store?: Store;
  /** Scheduler tuning and hooks (batch size, lateness callback for benchmarks). */
  scheduler?: SchedulerOptions;
}

export interface Rota extends RotaService {
  readonly config: RotaConfig;
  readonly store: Store;
  /** Creates the default workspace and, on first start, an admin token (returned only then). */
  bootstrap(): Promise<{ adminToken: string | null }>;
  /** Starts this node's workers (claiming and executing runs) and its scheduler, as configured. */
  start(): Promise<void>;
  /** Stops claiming, lets in-flight steps finish for `graceMs`, releases leases, closes the store. */
  stop(opts?: { graceMs?: number; closeStore?: boolean }): Promise<void>;
  readonly worker: Worker;
  readonly scheduler: Scheduler;
  /** Turns a trigger's activation into a run (or a recorded `skipped` run); see engine/fire.ts. */
  fire(request: FireRequest): Promise<FireResult>;
  /** Engine internals shared with the scheduler and triggers of this node. */
  readonly context: EngineContext;
}

const EVENT_NAME = /^[A-Za-z0-9_.:-]{1,200}$/;

/**
 * Creates an embedded Rota engine.
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
  const config = completeConfig(options.config ?? {});
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  const store =
    options.store ??
    (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, backgroundCheckpoints: { onWarning: (message) => logger.warn(message) } }));
  let runs: RunsService | null = null;
  const agent = createAgentRuntime({
    store,
    config,
    ids: options.ids ?? createUlidGenerator(() => clock.now()),
    tools: options.tools,
    cancelRun: async (ws, runId) => void (await runs!.cancel(ws, runId)),
  });
  const actions = createBuiltinRegistry([createAgentAction(agent), ...(options.actions ?? [])]);
  const ctx: EngineContext = {
    store,
    clock,
    ids: options.ids ?? createUlidGenerator(() => clock.now()),
    config,
    actions,
    plans: new PlanCache(actions),
    notifier: new Notifier(),
    commits: new CommitQueue(store, clock),
    logger,
    random: Math.random,
    servicesFor: (run, stepId) => ({
      ...actionServices(run, store, () => runs!, emit),
      ...approvals.forStep(run, stepId),
      ...waits.forStep(run, stepId),
    }),
  };
  if (store.dialect === 'postgres') {
    ctx.commits.wakeChannel = WAKE_CHANNEL;
  }
  const worker = new Worker(ctx);
  runs = new RunsService(ctx, () => worker);
  const fires = new FireService(ctx, runs);
  runs.checkManualLimit = (id, definition) => fires.checkManualLimit(id, definition);
  const automations = new AutomationsService(ctx);
  const access = new AccessService(ctx);
  // Webhooks and events (src/triggers): secrets sealed at apply, event triggers matched on publish.
  const vault = new SecretVault(loadSecretKey({ secretKey: config.secretKey, dataDir: config.dataDir, dialect: store.dialect }), ctx.ids);
  const eventTriggers = new EventService(ctx, new EventTriggerIndex(() => store.db, () => clock.now()), (request) => fires.fire(request));
  const webhookService = new WebhookService(ctx, vault, (request) => fires.fire(request));
  ctx.runEnded = (run) => eventTriggers.runEnded(run);
  automations.sealSecrets = (ws, definition) => vault.seal(store.db, { workspaceId: ws, now: clock.now() }, definition);
  automations.triggersChanged = async (ws) => {
    webhookService.invalidate();
    await eventTriggers.triggersChanged(ws);
  };
  automations.statusChanged = async (ws, row, status) => {
    await eventTriggers.triggersChanged(ws);
    if (status === 'paused') eventTriggers.automationPaused(ws, row, 'api', clock.now());
  };
  eventTriggers.start();
  const approvals = new ApprovalsService(ctx, () => runs!);
  const waits = new WaitsService(ctx);
  ctx.eventStored = (tx, event) => waits.onEventStored(tx, event);
  const scheduler = new Scheduler(ctx, fires, options.scheduler);
  const triggers = new TriggersService(ctx);

  async function emit(workspaceId: string, event: { name: string; data?: unknown; id?: string }, source = 'api'): Promise<EventView> {
    if (typeof event.name !== 'string' || !EVENT_NAME.test(event.name)) {
      throw new ValidationError('invalid event name', [{ path: 'name', message: 'must match [A-Za-z0-9_.:-]{1,200}' }]);
    }
    const matches = await eventTriggers.match(workspaceId, event.name);
    const row = {
      id: ctx.ids(),
      workspace_id: workspaceId,
      name: event.name,
      data: event.data === undefined ? null : JSON.stringify(event.data),
      source,
      dedupe_id: event.id ?? null,
      created_at: clock.now(),
      // pending until every matching trigger fired; with none there is nothing for the sweep to redo
      dispatched_at: matches.length > 0 ? null : clock.now(),
    };
    // Waiting `wait_for_event` steps are matched in the transaction that stores the event.
    const { stored, duplicate, after } = await store.db.transaction().execute(async (tx) => {
      const inserted = await insertEvent(tx, row);
      return { stored: inserted.row, duplicate: inserted.duplicate, after: inserted.duplicate ? () => undefined : await ctx.eventStored!(tx, inserted.row) };
    });
    after();
    const view = eventView(stored, duplicate);
    if (matches.length > 0) view.runs = await eventTriggers.dispatch(stored, matches);
    return view;
  }

  return {
    config,
    store,
    worker,
    scheduler,
    context: ctx,
    fire: (request) => fires.fire(request),
    nodeId: config.nodeId,
    bootstrap: async () => ({ adminToken: (await access.bootstrap()).adminToken }),
    start: async () => {
      if (config.worker.enabled) await worker.start();
      if (config.scheduler.enabled) await scheduler.start();
    },
    stop: async (opts = {}) => {
      await scheduler.stop();
      eventTriggers.stop();
      await webhookService.close();
      await worker.stop(opts.graceMs ?? config.worker.shutdownGraceMs);
      await agent.mcp.close();
      if (opts.closeStore !== false && !options.store) await store.close();
    },
    triggers: {
      list: (ws, name) => triggers.list(ws, name),
      preview: (ws, name, count) => triggers.preview(ws, name, count),
      setEnabled: (ws, name, id, enabled) => triggers.setEnabled(ws, name, id, enabled),
    },
    agent: {
      conversation: (ws, runId, stepId) => stepConversation(store, ws, runId, stepId),
      costs: (ws, name, since) => automationCosts(store, ws, name, since),
    },
    workspaces: {
      ensure: (name) => access.ensureWorkspace(name),
      get: (nameOrId) => access.getWorkspace(nameOrId),
      list: () => access.listWorkspaces(),
    },
    automations: {
      apply: (ws, raw, opts) => automations.apply(ws, raw, opts),
      get: (ws, name) => automations.get(ws, name),
      list: (ws, opts) => automations.list(ws, opts),
      versions: (ws, name) => automations.versions(ws, name),
      version: (ws, name, v) => automations.version(ws, name, v),
      setStatus: (ws, name, status) => automations.setStatus(ws, name, status),
      validate: (raw) => automations.validate(raw),
    },
    runs: {
      start: (ws, name, req) => runs.start(ws, name, req),
      get: (ws, id) => runs.get(ws, id),
      list: (ws, f) => runs.list(ws, f),
      events: (ws, id, opts) => runs.events(ws, id, opts),
      cancel: (ws, id) => runs.cancel(ws, id),
      retry: (ws, id) => runs.retry(ws, id),
      replay: (ws, id, opts) => runs.replay(ws, id, opts),
      report: (ws, id) => runs.report(ws, id),
      wait: (ws, id, ms, opts) => runs.wait(ws, id, ms, opts),
      subscribe: (id, after, fn) => runs.subscribe(id, after, fn),
    },
    events: {
      emit,
      list: async (ws, opts = {}): Promise<Page<EventView>> => {
        const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
        const { rows, total } = await listEvents(store.db, ws, { name: opts.name, before: opts.cursor, limit: limit + 1 });
        const items = rows.slice(0, limit).map((r) => eventView(r));
        return { items, next_cursor: rows.length > limit ? items[items.length - 1].id : null, total };
      },
    },
    approvals: {
      list: (ws, opts) => approvals.list(ws, opts),
      get: (ws, id) => approvals.get(ws, id),
      decide: (ws, id, principal, decision) => approvals.decide(ws, id, principal, decision),
    },
    callbacks: {
      deliver: (id, token, body) => waits.deliverCallback(id, token, body),
    },
    webhooks: {
      receive: (request) => webhookService.receive(request),
      deliveries: (ws, name, id, opts) => webhookService.deliveries(ws, name, id, opts),
      rotateSecret: (ws, name, id, req) => webhookService.rotateSecret(ws, name, id, req),
    },
    tokens: {
      create: (ws, name, scopes) => access.createToken(ws, name, scopes),
      list: (ws) => access.listTokens(ws),
      revoke: (ws, id) => access.revoke(ws, id),
      authenticate: (token) => access.authenticate(token),
    },
    catalog: { actions: () => actions.list() },
    health: async () => {
      try {
        await store.db.selectFrom('rota_meta').select('key').limit(1).execute();
        return { ok: true, database: store.dialect, node: config.nodeId };
      } catch {
        return { ok: false, database: store.dialect, node: config.nodeId };
      }
    },
  };
}

function actionServices(
  run: { id: string; workspace_id: string },
  store: Store,
  runs: () => RunsService,
  emit: (ws: string, e: { name: string; data?: unknown; id?: string }, source: string) => Promise<EventView>,
): ActionServices {
  return {
    emitEvent: async (event) => {
      const view = await emit(run.workspace_id, event, `run:${run.id}`);
      return { id: view.id, duplicate: view.duplicate === true };
    },
    startRun: async (req) => {
      const svc = runs();
      const automation = await findAutomation(store.db, run.workspace_id, req.automation);
      if (!automation) throw new NotFoundError(`automation "${req.automation}" not found in this workspace`);
      const { runId } = await svc.create({
        workspaceId: run.workspace_id,
        automationId: automation.id,
        inputs: req.inputs,
        idempotencyKey: req.idempotencyKey,
        trigger: { id: 'run_automation', kind: 'manual', source: `run:${run.id}` },
        parent: req.parent,
      });
      return { runId };
    },
    getRun: async (runId) => {
      try {
        const view = await runs().get(run.workspace_id, runId);
        return { id: view.id, status: view.status, output: view.output, error: view.error };
      } catch (err) {
        if (err instanceof NotFoundError) return null;
        throw err;
      }
    },
  };
}

function completeConfig(partial: Partial<RotaConfig>): RotaConfig {
  return {
    ...DEFAULT_CONFIG,
    nodeId: `node-${process.pid}-${Math.random().toString(36).slice(2, 6)}`,
    ...partial,
    worker: { ...DEFAULT_CONFIG.worker, ...(partial.worker ?? {}) },
    scheduler: { ...DEFAULT_CONFIG.scheduler, ...(partial.scheduler ?? {}) },
    http: { ...DEFAULT_CONFIG.http, ...(partial.http ?? {}) },
    shell: { ...DEFAULT_CONFIG.shell, ...(partial.shell ?? {}) },
  };
}
