/**
 * Typed client for Rota's REST API (`/api/v1`). Every method throws {@link RotaApiError} for an error
 * answer (`status`, `code`, `message`, `details`) and for an unreachable server (status 0, code
 * `unavailable`).
 *
 * @example
 * import { createClient } from 'rota/client';
 * const rota = createClient({ url: 'http://127.0.0.1:7070', token: process.env.ROTA_TOKEN! });
 * await rota.automations.apply('hello', { name: 'hello', steps: [{ id: 'a', action: 'set', with: { x: 1 } }] });
 * const { run } = await rota.automations.run('hello', { inputs: {}, wait: '30s' });
 * console.log(run.status);
 */
import type { Definition } from '../definition/types.js';
import type { ActionDefinition } from '../actions/types.js';
import type { CostTotals } from '../agent/costs.js';
import type { WorkspaceCosts } from '../agent/workspace-costs.js';
import type { ToolCatalogEntry } from '../node/service.js';
import type { SchedulePreview, TriggerDetailView } from '../triggers/triggers-service.js';
import type { DeliveryPage } from '../triggers/webhook-types.js';
import type { ConversationView } from '../agent/conversation.js';
import type { BulkRunsResult } from '../node/runs-bulk-service.js';
import type { SaveRunRequest, SaveRunResult } from '../node/saved-workflows-service.js';
import type {
  ApplyResult,
  ApprovalView,
  AutomationStatsView,
  AutomationView,
  EventView,
  Page,
  PruneResult,
  RetentionPreview,
  RunEventView,
  RunReport,
  RunView,
  SecretView,
  TokenView,
  VersionView,
  Workspace,
} from '../node/views.js';
import { Transport, type QueryValue } from './transport.js';
import { streamRunEvents, type StreamOptions } from './stream.js';

export { RotaApiError } from './errors.js';
/** The token scopes (`automations:read`, `runs:write`, …), as `whoami().scopes` lists them. */
export { Scope } from '../states.js';
export type { StreamOptions } from './stream.js';
export type * from '../node/views.js';
export type { CostTotals } from '../agent/costs.js';
export type { AutomationBudgetState, BudgetState, CostAmount, CostEntry, CostLimit, WorkspaceCosts } from '../agent/workspace-costs.js';
export type { ToolCatalogEntry } from '../node/service.js';
export type { DeliveryPage, DeliveryView } from '../triggers/webhook-types.js';
export type { SchedulePreview, TriggerDetailView } from '../triggers/triggers-service.js';
export type { ConversationView } from '../agent/conversation.js';
export type { BulkRunResult, BulkRunsResult, BulkSkipReason } from '../node/runs-bulk-service.js';
export type { SaveRunRequest, SaveRunResult } from '../node/saved-workflows-service.js';
export type { FreezeReport, SavedInput } from '../definition/freeze.js';

/** What a delegate runtime reports on its callback: the task's output, or its failure. */
export type CallbackResult = { output: unknown } | { error: { message: string; code?: string; details?: unknown } };

export interface ClientOptions {
  /** server base URL, e.g. `http://127.0.0.1:7070` */
  url: string;
  /** bearer token `rota_...` */
  token?: string;
  /** workspace name for admin tokens (`X-Rota-Workspace`); workspace tokens are bound to theirs */
  workspace?: string;
  /** custom fetch (tests, proxies); default the global fetch */
  fetch?: typeof fetch;
}

/** A definition object, or its YAML/JSON text (sent as `application/yaml`). */
export type DefinitionInput = Definition | Record<string, unknown> | string;

export interface ApplyOptions {
  /** mark the automation as loaded from a file (`source: file`) */
  source?: 'api' | 'file';
  sourcePath?: string;
}

export interface RunListQuery {
  automation?: string;
  status?: string | string[];
  trigger?: string;
  since?: string | number;
  until?: string | number;
  /** text searched in run errors */
  q?: string;
  cursor?: string | null;
  limit?: number;
}

/** The filters of {@link RunListQuery}, for a bulk action over every run they match. */
export type RunFilterQuery = Omit<RunListQuery, 'cursor' | 'limit'>;

/**
 * `POST /runs/bulk`: the runs named by `ids` (at most 500), or one batch of the runs matching
 * `filter` (`limit` per call, default 100; loop while `next_cursor` is not null, passing it as `cursor`).
 */
export type BulkRunsRequest =
  | { action: 'cancel' | 'retry'; ids: string[] }
  | { action: 'cancel' | 'retry'; filter: RunFilterQuery; cursor?: string | null; limit?: number };

export interface StartRunOptions {
  inputs?: Record<string, unknown>;
  idempotencyKey?: string;
  /** wait server-side up to this long (e.g. `30s`) for the run to finish before answering */
  wait?: string;
}

export interface Whoami {
  token_id: string;
  scopes: string[];
  /** the workspace requests act in */
  workspace: { id: string; name: string };
  /** false for an admin token without a workspace of its own */
  bound: boolean;
}

export type CreatedToken = TokenView & { token: string };

/** What `PUT /automations/{name}` did; `changed` null when the server did not say. */
export interface ApplyOutcome extends Omit<ApplyResult, 'changed'> {
  changed: boolean | null;
}

export interface RotaClient {
  readonly url: string;
  automations: {
    /** `POST /automations`; 409 when the name exists. */
    create(definition: DefinitionInput): Promise<AutomationView>;
    /** `PUT /automations/{name}`: create or update; `created`/`changed` say what happened. */
    apply(name: string, definition: DefinitionInput, options?: ApplyOptions): Promise<ApplyOutcome>;
    list(query?: { status?: string; cursor?: string | null; limit?: number }): Promise<Page<AutomationView>>;
    get(name: string): Promise<AutomationView>;
    versions(name: string): Promise<VersionView[]>;
    version(name: string, version: number): Promise<VersionView>;
    pause(name: string): Promise<AutomationView>;
    resume(name: string): Promise<AutomationView>;
    archive(name: string): Promise<AutomationView>;
    /** archived → paused */
    unarchive(name: string): Promise<AutomationView>;
    /** Throws RotaApiError `definition_invalid` with `{path, message}` details when invalid. */
    /** `source: 'file'` validates by the rules of an apply from a file (as `rota apply --dry-run`) */
    validate(definition: DefinitionInput, opts?: { source?: 'api' | 'file' }): Promise<unknown>;
    /** Manual trigger; `created` false when the idempotency key was used before (same run). */
    run(name: string, options?: StartRunOptions): Promise<{ run: RunView; created: boolean }>;
    /** Cost and token totals of the automation's agent model calls per UTC day, `days` back (default 30). */
    costs(name: string, options?: { days?: number }): Promise<CostTotals>;
    /**
     * `GET /automation-stats`: recent outcomes, success rate, open runs and today's spend of up to
     * 100 automations in one request (a page of the list); names the workspace lacks are left out.
     */
    stats(names: string[], options?: { runs?: number }): Promise<AutomationStatsView[]>;
  };
  runs: {
    list(query?: RunListQuery): Promise<Page<RunView>>;
    /** The run with its `steps`. */
    get(id: string): Promise<RunView>;
    events(id: string, options?: { after?: number }): Promise<RunEventView[]>;
    cancel(id: string): Promise<RunView>;
    /** A pinned run is never pruned by retention; both are idempotent. */
    pin(id: string): Promise<RunView>;
    unpin(id: string): Promise<RunView>;
    retry(id: string): Promise<RunView>;
    replay(id: string, options?: { inputs?: Record<string, unknown>; version?: number }): Promise<RunView>;
    /**
     * Cancel or retry many runs; each run as its single cancel or retry, or skipped with the reason.
     *
     * @example
     * let cursor: string | null = null;
     * do {
     *   const batch = await rota.runs.bulk({ action: 'retry', filter: { automation: 'nightly', status: 'failed' }, cursor });
     *   cursor = batch.next_cursor;
     * } while (cursor);
     */
    bulk(request: BulkRunsRequest): Promise<BulkRunsResult>;
    report(id: string): Promise<RunReport>;
    reportMarkdown(id: string): Promise<string>;
    /**
     * `POST /runs/{id}/save-as-automation`: freezes a succeeded run's realized plan into an
     * automation (planning steps replaced by the steps they produced) with typed inputs; with
     * `dry_run` only the freezability report and the definition that would be saved.
     *
     * @example
     *   const { automation, report } = await rota.runs.saveAsAutomation(run.id, { name: 'daily-digest', inputs: [{ name: 'topic', required: true }] });
     */
    saveAsAutomation(id: string, request: SaveRunRequest): Promise<SaveRunResult>;
    /** An agent step's conversation: model and tool calls (tokens, cost, latency) and artifacts. */
    conversation(id: string, stepId: string): Promise<ConversationView>;
  };
  /** Run history retention of the workspace. */
  retention: {
    /** `GET /retention/preview`: what the next sweep would delete, per automation and reason (deletes nothing). */
    preview(query?: { automation?: string }): Promise<RetentionPreview>;
    /** `POST /retention/prune` (admin): sweeps now. */
    prune(query?: { automation?: string }): Promise<PruneResult>;
  };
  approvals: {
    /** `GET /approvals`, newest first; `state: 'pending'` is the inbox. */
    list(query?: { state?: string; run_id?: string; cursor?: string | null; limit?: number }): Promise<Page<ApprovalView>>;
    get(id: string): Promise<ApprovalView>;
    /** Repeating your own decision answers unchanged; a conflicting one throws RotaApiError 409 `conflict`. */
    decide(id: string, decision: 'approve' | 'reject' | 'abort', options?: { value?: unknown; comment?: string }): Promise<ApprovalView>;
  };
  /** `GET /costs`: the workspace's agent spend per UTC day, automation and model, `days` back (default 30), with totals and daily budgets. */
  costs(options?: { days?: number }): Promise<WorkspaceCosts>;
  events: {
    emit(name: string, options?: { data?: unknown; id?: string }): Promise<EventView>;
    list(query?: { name?: string; cursor?: string | null; limit?: number }): Promise<Page<EventView>>;
  };
  /** Workspace secrets for `{{ secrets.NAME }}`: values are write-only. */
  secrets: {
    /** `PUT /secrets/{name}`: creates (201) or replaces (200) the value. */
    set(name: string, value: string): Promise<{ created: boolean; secret: SecretView }>;
    /** Names and times, never values. */
    list(): Promise<SecretView[]>;
    remove(name: string): Promise<void>;
  };
  workspaces: {
    /** Admin tokens; a workspace-bound admin sees its own. */
    list(): Promise<Workspace[]>;
    /** Global admin only; RotaApiError 409 `conflict` when the name is taken. */
    create(name: string): Promise<Workspace>;
  };
  tokens: {
    /** The secret `token` is returned once, here. `workspace` only for admin callers. */
    create(name: string, scopes: string[], options?: { workspace?: string }): Promise<CreatedToken>;
    list(): Promise<TokenView[]>;
    revoke(id: string): Promise<void>;
  };
  catalog: {
    actions(): Promise<ActionDefinition[]>;
    /** `GET /catalog/tools`: tools agent steps may list (built-ins and those registered in code). */
    tools(): Promise<ToolCatalogEntry[]>;
  };
  /** `GET /whoami`: the calling token's id, scopes and acting workspace. */
  whoami(): Promise<Whoami>;
  triggers: {
    /** `GET /automations/{name}/triggers`: every trigger with its cursor and counters. */
    list(automation: string): Promise<TriggerDetailView[]>;
    /** `GET /automations/{name}/schedule`: the next `count` fire times of each schedule trigger. */
    preview(automation: string, options?: { count?: number; from?: string }): Promise<SchedulePreview[]>;
    /** Enabling a schedule starts it from its next slot; a passed one-shot `at` answers 409. */
    enable(automation: string, triggerId: string): Promise<TriggerDetailView>;
    disable(automation: string, triggerId: string): Promise<TriggerDetailView>;
  };
  webhooks: {
    /** A webhook trigger's delivery log, newest first; RotaApiError 409 for a trigger of another type. */
    deliveries(automation: string, triggerId: string, query?: { cursor?: string | null; limit?: number }): Promise<DeliveryPage>;
    /** Replaces a webhook trigger's stored secret; the previous one keeps verifying for `grace` (e.g. `1h`). */
    rotateSecret(automation: string, triggerId: string, secret: string, options?: { grace?: string }): Promise<{ rotated: true; previous_valid_until: string | null }>;
  };
  /** `GET /healthz` (not under /api/v1, no token needed). */
  health(): Promise<Record<string, unknown>>;
  /** `GET /readyz`; throws RotaApiError (503) when the node is not ready. */
  ready(): Promise<Record<string, unknown>>;
  /**
   * Reads the run's live event stream (SSE), calling `onEvent` for each event after `after`.
   * Resolves when the server ends the stream or `signal` aborts.
   */
  /** The node's Prometheus metrics (text exposition format); needs `metrics:read` unless `metrics.public`. */
  metrics(): Promise<string>;
  /**
   * Reports a delegated task's result as the delegate runtime: authenticated by the one-time
   * callback token the `delegate` step sent (`rcb_...`), not by this client's token.
   */
  callback(delegationId: string, callbackToken: string, result: CallbackResult): Promise<{ delegation_id: string; state: 'succeeded' | 'failed' }>;
  streamRunEvents(runId: string, onEvent: (event: RunEventView) => void | Promise<void>, options?: StreamOptions): Promise<void>;
}

const API = '/api/v1';

export function createClient(options: ClientOptions): RotaClient {
  const http = new Transport(options);
  const get = async <T>(path: string, query?: Record<string, QueryValue>) => (await http.json<T>(API + path, { query })).body;
  const post = async <T>(path: string, body?: unknown) => (await http.json<T>(API + path, { method: 'POST', body: body ?? {} })).body;
  const seg = encodeURIComponent;
  const definitionBody = (definition: DefinitionInput) =>
    typeof definition === 'string' ? { rawBody: definition, contentType: 'application/yaml' } : { body: definition };

  return {
    url: http.baseUrl,
    automations: {
      create: async (definition) => (await http.json<AutomationView>(`${API}/automations`, { method: 'POST', ...definitionBody(definition) })).body,
      apply: async (name, definition, opts = {}) => {
        const { status, body } = await http.json<unknown>(`${API}/automations/${seg(name)}`, {
          method: 'PUT',
          ...definitionBody(definition),
          headers: { 'x-rota-source': opts.source, 'x-rota-source-path': opts.sourcePath },
        });
        return toApplyResult(status, body);
      },
      list: (query) => get(`/automations`, query),
      get: (name) => get(`/automations/${seg(name)}`),
      versions: async (name) => items(await get(`/automations/${seg(name)}/versions`)),
      version: (name, version) => get(`/automations/${seg(name)}/versions/${version}`),
      pause: (name) => post(`/automations/${seg(name)}/pause`),
      resume: (name) => post(`/automations/${seg(name)}/resume`),
      archive: (name) => post(`/automations/${seg(name)}/archive`),
      unarchive: (name) => post(`/automations/${seg(name)}/unarchive`),
      validate: async (definition, opts = {}) =>
        (await http.json(`${API}/automations/validate`, { method: 'POST', ...definitionBody(definition), headers: { 'x-rota-source': opts.source } })).body,
      run: async (name, opts = {}) => {
        const { status, body } = await http.json<unknown>(`${API}/automations/${seg(name)}/runs`, {
          method: 'POST',
          body: { inputs: opts.inputs ?? {} },
          query: { wait: opts.wait },
          headers: { 'idempotency-key': opts.idempotencyKey },
        });
        return { run: unwrap<RunView>(body, 'run'), created: status === 201 };
      },
      costs: (name, opts = {}) => get(`/automations/${seg(name)}/costs`, { days: opts.days }),
      stats: async (names, opts = {}) => items(await get(`/automation-stats`, { names: names.join(','), runs: opts.runs })),
    },
    runs: {
      list: (query = {}) => get(`/runs`, { ...query }),
      get: (id) => get(`/runs/${seg(id)}`),
      events: async (id, opts = {}) => items(await get(`/runs/${seg(id)}/events`, { after: opts.after })),
      cancel: async (id) => unwrap(await post(`/runs/${seg(id)}/cancel`), 'run'),
      pin: (id) => post(`/runs/${seg(id)}/pin`),
      unpin: (id) => post(`/runs/${seg(id)}/unpin`),
      retry: async (id) => unwrap(await post(`/runs/${seg(id)}/retry`), 'run'),
      replay: async (id, opts = {}) => unwrap(await post(`/runs/${seg(id)}/replay`, opts), 'run'),
      bulk: (request) => post(`/runs/bulk`, bulkBody(request)),
      report: (id) => get(`/runs/${seg(id)}/report`),
      saveAsAutomation: (id, request) => post(`/runs/${seg(id)}/save-as-automation`, request),
      reportMarkdown: (id) => http.text(`${API}/runs/${seg(id)}/report`, { query: { format: 'markdown' }, accept: 'text/markdown' }),
      conversation: (id, stepId) => get(`/runs/${seg(id)}/steps/${seg(stepId)}/conversation`),
    },
    retention: {
      preview: (query = {}) => get(`/retention/preview`, { ...query }),
      prune: async (query = {}) => (await http.json<PruneResult>(`${API}/retention/prune`, { method: 'POST', body: {}, query: { ...query } })).body,
    },
    approvals: {
      list: (query) => get(`/approvals`, query),
      get: (id) => get(`/approvals/${seg(id)}`),
      decide: (id, decision, opts = {}) => post(`/approvals/${seg(id)}/decision`, { decision, ...opts }),
    },
    costs: (opts = {}) => get(`/costs`, { days: opts.days }),
    events: {
      emit: (name, opts = {}) => post(`/events`, { name, data: opts.data, id: opts.id }),
      list: (query) => get(`/events`, query),
    },
    secrets: {
      set: async (name, value) => {
        const { status, body } = await http.json<SecretView>(`${API}/secrets/${seg(name)}`, { method: 'PUT', body: { value } });
        return { created: status === 201, secret: body };
      },
      list: async () => items(await get(`/secrets`)),
      remove: async (name) => {
        await http.send(`${API}/secrets/${seg(name)}`, { method: 'DELETE' });
      },
    },
    workspaces: {
      list: async () => items(await get(`/workspaces`)),
      create: (name) => post(`/workspaces`, { name }),
    },
    tokens: {
      create: async (name, scopes, opts = {}) => {
        const body = await post<Record<string, unknown>>(`/tokens`, { name, scopes, workspace: opts.workspace });
        // Accept `{token, info}` as well as the flat `{token, id, ...}` shape.
        return (body.info ? { ...(body.info as TokenView), token: body.token } : body) as unknown as CreatedToken;
      },
      list: async () => items(await get(`/tokens`)),
      revoke: async (id) => {
        await http.send(`${API}/tokens/${seg(id)}`, { method: 'DELETE' });
      },
    },
    catalog: {
      actions: async () => items(await get(`/catalog/actions`)),
      tools: async () => items(await get(`/catalog/tools`)),
    },
    whoami: () => get(`/whoami`),
    triggers: {
      list: async (name) => items(await get(`/automations/${seg(name)}/triggers`)),
      preview: async (name, opts = {}) => items(await get(`/automations/${seg(name)}/schedule`, { count: opts.count, from: opts.from })),
      enable: async (name, id) => post(`/automations/${seg(name)}/triggers/${seg(id)}/enable`),
      disable: async (name, id) => post(`/automations/${seg(name)}/triggers/${seg(id)}/disable`),
    },
    webhooks: {
      deliveries: (name, id, query) => get(`/automations/${seg(name)}/triggers/${seg(id)}/deliveries`, query),
      rotateSecret: (name, id, secret, opts = {}) => post(`/automations/${seg(name)}/triggers/${seg(id)}/secret`, { secret, grace: opts.grace }),
    },
    health: async () => (await http.json<Record<string, unknown>>('/healthz')).body,
    ready: async () => (await http.json<Record<string, unknown>>('/readyz')).body,
    metrics: () => http.text('/metrics', { accept: 'text/plain' }),
    callback: async (id, token, result) =>
      (await http.json<{ delegation_id: string; state: 'succeeded' | 'failed' }>(`${API}/callbacks/${seg(id)}`, { method: 'POST', body: result, headers: { authorization: `Bearer ${token}` } })).body,
    streamRunEvents: (runId, onEvent, opts) => streamRunEvents(http, `${API}/runs/${seg(runId)}/stream`, onEvent, opts),
  };
}

/** The body of `POST /runs/bulk`: the filter as the API takes it (status a list, times ISO). */
function bulkBody(request: BulkRunsRequest): unknown {
  if ('ids' in request) return { action: request.action, ids: request.ids };
  const { status, since, until, ...rest } = request.filter;
  const iso = (t: string | number | undefined) => (typeof t === 'number' ? new Date(t).toISOString() : t);
  const filter = { ...rest, status: typeof status === 'string' ? status.split(',').filter(Boolean) : status, since: iso(since), until: iso(until) };
  return { action: request.action, filter, cursor: request.cursor ?? undefined, limit: request.limit };
}

/** List endpoints answer `{items, ...}`; a bare array is accepted too. */
function items<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  return ((body as { items?: T[] } | null)?.items ?? []) as T[];
}

/** Some answers may wrap the object (`{run: {...}}`); plain objects pass through. */
function unwrap<T>(body: unknown, key: string): T {
  const obj = body as Record<string, unknown> | null;
  if (obj && typeof obj === 'object' && !('id' in obj) && typeof obj[key] === 'object' && obj[key] !== null) return obj[key] as T;
  return body as T;
}

function toApplyResult(status: number, body: unknown): ApplyOutcome {
  const obj = body as Partial<ApplyResult> & Partial<AutomationView>;
  const created = status === 201;
  if (obj && typeof obj === 'object' && obj.automation) {
    return { automation: obj.automation, created: obj.created ?? created, changed: obj.changed ?? (created ? true : null), warnings: obj.warnings ?? [] };
  }
  // The API answers with the automation, plus `warnings` when there are any.
  const { warnings, ...automation } = obj;
  return { automation: automation as AutomationView, created, changed: created ? true : null, warnings: warnings ?? [] };
}
