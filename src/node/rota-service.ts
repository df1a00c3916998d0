/** The RotaService namespaces (see service.ts) over a node's services: delegation only. */
import type { AgentRuntime } from '../agent/agent-runtime.js';
import { stepConversation } from '../agent/conversation.js';
import { automationCosts } from '../agent/costs.js';
import { workspaceCosts } from '../agent/workspace-costs.js';
import { automationStats } from './automation-stats.js';
import type { EngineContext } from '../engine/context.js';
import type { WebhookService } from '../triggers/webhooks.js';
import type { TriggersService } from '../triggers/triggers-service.js';
import type { AccessService } from './access-service.js';
import type { ApprovalsService } from './approvals-service.js';
import type { AutomationsService } from './automations-service.js';
import type { EventsService } from './events-service.js';
import type { RunsService } from './runs-service.js';
import type { RunsBulkService } from './runs-bulk-service.js';
import type { SavedWorkflowsService } from './saved-workflows-service.js';
import type { SecretsService } from './secrets-service.js';
import type { RotaService } from './service.js';
import type { WaitsService } from './waits-service.js';
import type { NodeMetrics } from '../observe/metrics.js';
import { NotFoundError } from '../errors.js';
import type { RetentionService } from './retention-service.js';

export interface NodeServices {
  ctx: EngineContext;
  agent: AgentRuntime;
  access: AccessService;
  automations: AutomationsService;
  runs: RunsService;
  bulk: RunsBulkService;
  saved: SavedWorkflowsService;
  publisher: EventsService;
  approvals: ApprovalsService;
  waits: WaitsService;
  webhooks: WebhookService;
  secrets: SecretsService;
  triggers: TriggersService;
  /** null when metrics are turned off */
  metrics: NodeMetrics | null;
  retention: RetentionService;
}

export function rotaService(s: NodeServices): RotaService {
  const { store, config, actions } = s.ctx;
  return {
    nodeId: config.nodeId,
    triggers: {
      list: (ws, name) => s.triggers.list(ws, name),
      preview: (ws, name, count, opts) => s.triggers.preview(ws, name, count, opts),
      setEnabled: (ws, name, id, enabled) => s.triggers.setEnabled(ws, name, id, enabled),
    },
    agent: {
      conversation: (ws, runId, stepId) => stepConversation(store, ws, runId, stepId),
      costs: (ws, name, since) => automationCosts(store, ws, name, since),
      workspaceCosts: (ws, days) => workspaceCosts(store, config.budgets, ws, days, s.ctx.clock.now()),
    },
    workspaces: {
      ensure: (name) => s.access.ensureWorkspace(name),
      get: (nameOrId) => s.access.getWorkspace(nameOrId),
      list: () => s.access.listWorkspaces(),
      create: (name) => s.access.createWorkspace(name),
    },
    automations: {
      apply: (ws, raw, opts) => s.automations.apply(ws, raw, opts),
      get: (ws, name) => s.automations.get(ws, name),
      list: (ws, opts) => s.automations.list(ws, opts),
      versions: (ws, name) => s.automations.versions(ws, name),
      version: (ws, name, v) => s.automations.version(ws, name, v),
      setStatus: (ws, name, status) => s.automations.setStatus(ws, name, status),
      unarchive: (ws, name) => s.automations.unarchive(ws, name),
      validate: (raw, ws, opts) => s.automations.validate(raw, ws, opts),
      stats: (ws, names, opts) => automationStats(store, ws, names, { runs: opts?.runs, now: s.ctx.clock.now() }),
    },
    runs: {
      start: (ws, name, req) => s.runs.start(ws, name, req),
      get: (ws, id) => s.runs.get(ws, id),
      list: (ws, f) => s.runs.list(ws, f),
      events: (ws, id, opts) => s.runs.events(ws, id, opts),
      cancel: (ws, id) => s.runs.cancel(ws, id),
      pin: (ws, id, pinned) => s.runs.pin(ws, id, pinned),
      retry: (ws, id, opts) => s.runs.retry(ws, id, opts),
      bulk: (ws, req) => s.bulk.run(ws, req),
      replay: (ws, id, opts) => s.runs.replay(ws, id, opts),
      report: (ws, id) => s.runs.report(ws, id),
      saveAsAutomation: (ws, id, req) => s.saved.save(ws, id, req),
      wait: (ws, id, ms, opts) => s.runs.wait(ws, id, ms, opts),
      subscribe: (id, after, fn) => s.runs.subscribe(id, after, fn),
    },
    retention: {
      preview: (ws, opts) => s.retention.preview(ws, opts?.automation),
      prune: (ws, opts) => s.retention.prune(ws, opts?.automation),
    },
    events: {
      emit: (ws, event, source, opts) => s.publisher.publish(ws, event, source, opts),
      list: (ws, opts) => s.publisher.list(ws, opts),
    },
    approvals: {
      list: (ws, opts) => s.approvals.list(ws, opts),
      get: (ws, id) => s.approvals.get(ws, id),
      decide: (ws, id, principal, decision) => s.approvals.decide(ws, id, principal, decision),
    },
    callbacks: {
      deliver: (id, token, body) => s.waits.deliverCallback(id, token, body),
    },
    webhooks: {
      receive: (request) => s.webhooks.receive(request),
      deliveries: (ws, name, id, opts) => s.webhooks.deliveries(ws, name, id, opts),
      rotateSecret: (ws, name, id, req) => s.webhooks.rotateSecret(ws, name, id, req),
    },
    secrets: {
      set: (ws, name, value) => s.secrets.set(ws, name, value),
      list: (ws) => s.secrets.list(ws),
      remove: (ws, name) => s.secrets.remove(ws, name),
    },
    tokens: {
      create: (ws, name, scopes) => s.access.createToken(ws, name, scopes),
      list: (ws) => s.access.listTokens(ws),
      revoke: (ws, id) => s.access.revoke(ws, id),
      authenticate: (token) => s.access.authenticate(token),
    },
    catalog: {
      actions: () => actions.list(),
      tools: () =>
        s.agent.tools.names().map((name) => {
          const tool = s.agent.tools.get(name)!;
          return { name, description: tool.description, input_schema: tool.inputSchema, output_schema: tool.outputSchema ?? null };
        }),
    },
    health: async () => ({ ok: await store.ping(), database: store.dialect, node: config.nodeId }),
    metrics: {
      enabled: s.metrics !== null,
      public: config.metrics.public,
      scrape: async () => {
        if (s.metrics === null) throw new NotFoundError('metrics are turned off on this node (metrics.enabled: false, env ROTA_METRICS=0)');
        return s.metrics.scrape();
      },
    },
  };
}
