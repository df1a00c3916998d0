/**
 * What the interfaces (API, CLI through the API, MCP, embedding applications) can ask of a Rota
 * node. Every method is scoped to one workspace id; authorization happens before these calls.
 */
import type { ActionDefinition } from '../actions/types.js';
import type { ConversationView } from '../agent/conversation.js';
import type { CostTotals } from '../agent/costs.js';
import type { WorkspaceCosts } from '../agent/workspace-costs.js';
import type { IncomingWebhook } from '../triggers/webhooks.js';
import type { DeliveryPage, WebhookResponse } from '../triggers/webhook-types.js';
import type { PreviewOptions, SchedulePreview, TriggerDetailView } from '../triggers/triggers-service.js';
import type { ApprovalDecisionInput } from './approval-decision.js';
import type { CallbackBody } from './waits-service.js';
import type {
  ApplyResult,
  ApprovalView,
  AutomationStatsView,
  AutomationView,
  EventView,
  Page,
  Principal,
  PruneResult,
  RetentionPreview,
  RunEventView,
  RunListFilter,
  RunReport,
  RunView,
  SecretView,
  TokenView,
  VersionView,
  Workspace,
} from './views.js';

import type { StartRunRequest } from './runs-service.js';
import type { BulkRunsRequest, BulkRunsResult } from './runs-bulk-service.js';
import type { SaveRunRequest, SaveRunResult } from './saved-workflows-service.js';
import type { PublishEventRequest } from './events-service.js';
import type { ApprovalStatus, AutomationStatus, DelegationStatus } from '../states.js';

export type { StartRunRequest, PublishEventRequest, BulkRunsRequest, BulkRunsResult };

/** One agent tool of the catalog (`GET /catalog/tools`). */
export interface ToolCatalogEntry {
  name: string;
  description: string;
  input_schema: unknown;
  output_schema: unknown;
}

export interface RotaService {
  readonly nodeId: string;

  /** Agent steps: the recorded conversation (model and tool calls, artifacts) of one step. */
  agent?: {
    conversation(workspaceId: string, runId: string, stepId: string): Promise<ConversationView>;
    /** Cost and tokens of an automation's model calls since `since` (epoch ms), per UTC day. */
    costs(workspaceId: string, automation: string, since: number): Promise<CostTotals>;
    /** The workspace's spend per UTC day, automation and model, `days` back (today included), with its daily budgets. */
    workspaceCosts(workspaceId: string, days: number): Promise<WorkspaceCosts>;
  };

  workspaces: {
    ensure(name: string): Promise<Workspace>;
    /** ConflictError when the name is taken, ValidationError when it is not a valid name. */
    create(name: string): Promise<Workspace>;
    get(nameOrId: string): Promise<Workspace | null>;
    list(): Promise<Workspace[]>;
  };

  automations: {
    /** Create or update from a definition (already parsed from YAML/JSON, not yet validated). */
    apply(workspaceId: string, raw: unknown, opts?: { source?: 'api' | 'file'; sourcePath?: string; mustExist?: string; mustNotExist?: boolean }): Promise<ApplyResult>;
    get(workspaceId: string, name: string): Promise<AutomationView>;
    list(workspaceId: string, opts?: { status?: AutomationStatus; cursor?: string | null; limit?: number }): Promise<Page<AutomationView>>;
    versions(workspaceId: string, name: string): Promise<VersionView[]>;
    version(workspaceId: string, name: string, version: number): Promise<VersionView>;
    /**
     * pause / resume / archive; on `source: file` automations this is an overlay kept across
     * re-applies. An archived automation is read-only (ConflictError) until `unarchive`.
     */
    setStatus(workspaceId: string, name: string, status: AutomationStatus): Promise<AutomationView>;
    /** archived → paused; a ConflictError when the automation is not archived. */
    unarchive(workspaceId: string, name: string): Promise<AutomationView>;
    /**
     * Validates without saving; throws DefinitionError with the same problems apply would report
     * for the same `source` (default `api`: a past `at` is refused unless its stored trigger kept it;
     * `file`: as `rota apply -f` applies).
     */
    validate(raw: unknown, workspaceId?: string, opts?: { source?: 'api' | 'file' }): Promise<void>;
    /**
     * What the automations list shows per row (recent outcomes, success rate, open runs, today's
     * spend) for up to 100 names at once, in a bounded number of queries; unknown names are left out.
     */
    stats(workspaceId: string, names: string[], opts?: { runs?: number }): Promise<AutomationStatsView[]>;
  };

  runs: {
    /** Manual trigger. `created` false when the idempotency key was seen before (same run returned). */
    start(workspaceId: string, automation: string, request: StartRunRequest): Promise<{ run: RunView; created: boolean }>;
    get(workspaceId: string, runId: string): Promise<RunView>;
    list(workspaceId: string, filter: RunListFilter): Promise<Page<RunView>>;
    events(workspaceId: string, runId: string, opts?: { after?: number; limit?: number }): Promise<RunEventView[]>;
    cancel(workspaceId: string, runId: string): Promise<RunView>;
    /** Pins (`true`: never pruned by retention) or unpins a run; idempotent; NotFoundError for an unknown run. */
    pin(workspaceId: string, runId: string, pinned: boolean): Promise<RunView>;
    /** New run from the failed step of a failed run; completed steps are reused. */
    retry(workspaceId: string, runId: string, opts?: { traceparent?: string | null }): Promise<RunView>;
    /**
     * Cancel or retry many runs: the ones named by id, or a batch of those matching a filter (pass
     * `next_cursor` back as `cursor` until it is null). Each run as its single cancel or retry.
     */
    bulk(workspaceId: string, request: BulkRunsRequest): Promise<BulkRunsResult>;
    /** New run with the same inputs, optionally overridden, optionally on another version. */
    replay(workspaceId: string, runId: string, opts?: { inputs?: Record<string, unknown>; version?: number; traceparent?: string | null }): Promise<RunView>;
    report(workspaceId: string, runId: string): Promise<RunReport>;
    /**
     * Freezes a succeeded run's realized plan into a new automation (or a new version of an
     * existing one): planning steps replaced by the steps they produced, typed inputs checked,
     * with a freezability report. `dry_run` reports without saving.
     */
    saveAsAutomation(workspaceId: string, runId: string, request: SaveRunRequest): Promise<SaveRunResult>;
    /** Resolves with the run once it is terminal (or waiting, when `untilWaiting`) or the timeout passes. */
    wait(workspaceId: string, runId: string, timeoutMs: number, opts?: { untilWaiting?: boolean }): Promise<RunView>;
    /** Live run events (local ones pushed at once, other nodes' polled); returns unsubscribe. */
    subscribe(runId: string, afterSeq: number, onEvent: (event: RunEventView) => void): () => void;
  };

  /** Run history retention of the workspace's automations (the node's sweeper). */
  retention: {
    /** What the next sweep would delete (per automation, per reason) and what it holds back; deletes nothing. */
    preview(workspaceId: string, opts?: { automation?: string }): Promise<RetentionPreview>;
    /** Sweeps the workspace's runs (or one automation's) now; the archive is written first when configured. */
    prune(workspaceId: string, opts?: { automation?: string }): Promise<PruneResult>;
  };

  events: {
    /** `traceparent`: the caller's W3C trace context; the runs the event starts continue that trace */
    emit(workspaceId: string, event: PublishEventRequest, source?: string, opts?: { traceparent?: string | null }): Promise<EventView>;
    list(workspaceId: string, opts?: { name?: string; cursor?: string | null; limit?: number }): Promise<Page<EventView>>;
  };

  approvals: {
    /** Newest first; pending approvals past their expiry or of ended runs are settled `expired` first. */
    list(workspaceId: string, opts?: { state?: ApprovalStatus; runId?: string; cursor?: string | null; limit?: number }): Promise<Page<ApprovalView>>;
    get(workspaceId: string, id: string): Promise<ApprovalView>;
    /** Idempotent per principal; ConflictError on a conflicting or late decision; AuthError when not an approver. */
    decide(workspaceId: string, id: string, principal: Principal, decision: ApprovalDecisionInput): Promise<ApprovalView>;
  };

  callbacks: {
    /** A delegate runtime's callback: AuthError on a wrong token, ConflictError when already used or timed out. */
    deliver(delegationId: string, token: string, body: CallbackBody): Promise<{ delegation_id: string; state: DelegationStatus }>;
  };

  /** Workspace secrets for actions (`{{ secrets.NAME }}`): write-only values, never returned. */
  secrets: {
    /** Creates or replaces a secret; the next step that uses it sees the new value. */
    set(workspaceId: string, name: string, value: string): Promise<{ created: boolean; secret: SecretView }>;
    /** Names and times only. */
    list(workspaceId: string): Promise<SecretView[]>;
    /** NotFoundError when there is no such secret. */
    remove(workspaceId: string, name: string): Promise<void>;
  };

  tokens: {
    create(workspaceId: string | null, name: string, scopes: string[]): Promise<{ token: string; info: TokenView }>;
    list(workspaceId: string | null): Promise<TokenView[]>;
    revoke(workspaceId: string | null, tokenId: string): Promise<void>;
    /** null when unknown or revoked */
    authenticate(token: string): Promise<Principal | null>;
  };

  catalog: {
    actions(): ActionDefinition[];
    /** Tools agent steps may list in `tools:` without an MCP server: the built-ins and those registered in code. */
    tools(): ToolCatalogEntry[];
  };

  webhooks: {
    /** `POST /hooks/{workspace}/{endpoint}`: verify, fire, log; never throws for unauthenticated requests. */
    receive(request: IncomingWebhook): Promise<WebhookResponse>;
    /** The trigger's bounded delivery log, newest first, and its count of unauthenticated requests. */
    deliveries(workspaceId: string, automation: string, triggerId: string, opts?: { cursor?: string | null; limit?: number }): Promise<DeliveryPage>;
    /** Replaces a stored secret; the previous one keeps verifying for `grace`. Never returns a secret. */
    rotateSecret(workspaceId: string, automation: string, triggerId: string, request: { secret: string; grace?: string }): Promise<{ rotated: true; previous_valid_until: string | null }>;
  };

  triggers: {
    /** Every trigger of an automation with its durable cursor and counters. */
    list(workspaceId: string, automation: string): Promise<TriggerDetailView[]>;
    /** The next `count` fire times of each schedule trigger (jitter included), from the cursor or `from`. */
    preview(workspaceId: string, automation: string, count: number, options?: PreviewOptions): Promise<SchedulePreview[]>;
    /** Enabling a schedule gives it a fresh cursor; a passed one-shot `at` cannot be re-enabled. */
    setEnabled(workspaceId: string, automation: string, triggerId: string, enabled: boolean): Promise<TriggerDetailView>;
  };

  health(): Promise<{ ok: boolean; database: string; node: string }>;

  /** `GET /metrics`: the node's Prometheus metrics (SPEC §8). */
  metrics: {
    /** false when configuration turned metrics off (`metrics.enabled: false`) */
    readonly enabled: boolean;
    /** true when `/metrics` is served without a token (`metrics.public: true`) */
    readonly public: boolean;
    /** The exposition in the Prometheus text format; NotFoundError when metrics are off. */
    scrape(): Promise<{ contentType: string; body: string }>;
  };
}
