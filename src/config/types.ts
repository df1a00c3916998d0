/** The resolved, frozen configuration of one Rota node (see config/config.ts for how it is read). */
export interface RotaConfig {
  /** directory for the SQLite file, secrets key and other local state */
  dataDir: string;
  /** postgres://... or null for SQLite in dataDir */
  databaseUrl: string | null;
  host: string;
  port: number;
  /** admin token to accept (and create on first start) instead of a generated one */
  adminToken: string | null;
  /** the workspace created on first start and used by admin tokens when none is named */
  defaultWorkspace: string;
  nodeId: string;
  worker: {
    /** run slots of this node (runs executing steps at once) */
    concurrency: number;
    /** lease length; a lease is renewed every third of it */
    leaseMs: number;
    /** fallback polling for runs made claimable by other nodes (LISTEN/NOTIFY wakes earlier) */
    pollMs: number;
    /** on SIGTERM: how long in-flight steps may finish before their leases are released */
    shutdownGraceMs: number;
    enabled: boolean;
  };
  /** this node's scheduler (fires schedule triggers; any number of nodes may run one) */
  scheduler: { enabled: boolean };
  http: { allowlist: string[]; maxResponseBytes: number; defaultTimeoutMs: number };
  shell: { enabled: boolean; maxOutputBytes: number };
  /** directory of definition files watched by `rota serve` (source: file), or null */
  watchDir: string | null;
  /** request body limit of the API, bytes */
  maxBodyBytes: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** `json` lines or `pretty` text on stderr; null: pretty when stderr is a terminal, else json */
  logFormat: 'json' | 'pretty' | null;
  /** a group commit slower than this is logged at warn */
  slowCommitMs: number;
  metrics: {
    /** `GET /metrics` and the metrics registry; false: no metric is kept (logs still are) */
    enabled: boolean;
    /** serve `/metrics` without a token (default: a token with `metrics:read` or `admin`) */
    public: boolean;
    /** the `automation` label on run metrics; false for very many automations (one series each) */
    automationLabels: boolean;
    /** how long the database gauges (queued, waiting runs) are cached between scrapes */
    gaugeCacheMs: number;
  };
  /** LLM providers of `agent` steps, by name (see agent/providers.ts) */
  providers: Readonly<Record<string, ProviderConfig>>;
  /** model aliases (`default`, ...) → `provider:model`, with prices */
  models: Readonly<Record<string, ModelConfig>>;
  /** daily spending limits of agent steps (per run limits live in the definition) */
  budgets: { automationPerDay: BudgetLimit | null; workspacePerDay: BudgetLimit | null };
  limits: {
    /**
     * how deep runs may start runs: a `run_automation` child and a run started by a `run.*` event
     * each add one link; a run at this depth cannot start another (`depth_exceeded`)
     */
    maxDepth: number;
    /**
     * active (running or waiting) runs per workspace across all nodes; further runs stay queued
     * until one ends. null: no cap
     */
    workspaceConcurrency: number | null;
    /** stored log lines of one step (oldest dropped, the last kept) */
    stepLogLines: number;
    /** stored log lines of one run, all steps together (oldest of the step dropped, its last kept) */
    runLogLines: number;
  };
  /** MCP servers whose tools agent steps may use (`server.tool` in `tools:`) */
  mcpServers: Readonly<Record<string, McpServerConfig>>;
  /**
   * key encrypting webhook secrets at rest (32 bytes, base64 or hex); null: generated into dataDir
   * (`secret.key`, mode 0600) on first use. Required on PostgreSQL: every node needs the same key.
   */
  secretKey: string | null;
  /** base URL external runtimes use to reach this API (delegate callbacks); null: http://host:port */
  publicUrl: string | null;
  /** run history retention: node-wide defaults (a definition's `execution.retention` overrides them key by key) and the sweeper */
  retention: RetentionConfig;
  /** OpenTelemetry traces over OTLP/HTTP (see docs/observability.md) */
  tracing: TracingConfig;
}

/**
 * How long run history stays (every duration in milliseconds; 0 disables that limit). A terminal
 * run is deleted when it ended longer ago than its age (`keepFailed` instead of `maxAge` for failed
 * and timed-out runs, when set) or is beyond the newest `maxRuns` of its automation.
 */
export interface RetentionConfig {
  /** run the sweeper on this node (default true) */
  enabled: boolean;
  maxAge: number;
  maxRuns: number;
  /** null: failed and timed-out runs go by `maxAge` too */
  keepFailed: number | null;
  /** time between sweeps */
  interval: number;
  /** runs deleted per transaction */
  batchSize: number;
  /** pause between two batches, so the workers get the database */
  batchPause: number;
  /** published events older than this go (undispatched ones stay) */
  eventsMaxAge: number;
  /** webhook delivery log lines older than this go (each trigger also keeps only its newest 100) */
  deliveriesMaxAge: number;
  /** when set, every pruned run is first appended as a JSON line to `runs-YYYY-MM-DD.jsonl.gz` here */
  archiveDir: string | null;
}

/**
 * Traces are exported when `endpoint` is set and `enabled` is not false; otherwise the
 * OpenTelemetry SDK is never loaded (only `@opentelemetry/api`, whose calls do nothing).
 */
export interface TracingConfig {
  /** false keeps tracing off even where an endpoint is set (e.g. by OTEL_EXPORTER_OTLP_ENDPOINT) */
  enabled: boolean;
  /** the OTLP/HTTP traces URL, e.g. http://collector:4318/v1/traces; null: no tracing */
  endpoint: string | null;
  /** `service.name` of the spans */
  serviceName: string;
  /** fraction (0-1) of new traces recorded; a caller's traceparent decides for its own trace */
  sampleRatio: number;
  /** extra HTTP headers of the export requests (a collector's API key) */
  headers: Record<string, string>;
}

export interface ProviderConfig {
  kind: 'openai_compatible' | 'anthropic';
  /** e.g. https://api.openai.com/v1, http://localhost:11434/v1; null: the kind's default (anthropic) */
  baseUrl: string | null;
  /** name of the environment variable holding the API key; null: no key (local servers) */
  apiKeyEnv: string | null;
  headers: Record<string, string>;
}

/** USD per 1 million tokens. */
export interface ModelPrice {
  input: number;
  output: number;
  cached: number;
}

export interface ModelConfig {
  /** `provider:model`, e.g. `openai:gpt-4o-mini` */
  model: string;
  price: ModelPrice | null;
}

export interface BudgetLimit {
  maxCostUsd?: number;
  maxTokens?: number;
}

export type McpServerConfig =
  | { transport: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd: string | null }
  | { transport: 'http'; url: string; headers: Record<string, string> };

export const DEFAULT_CONFIG: Omit<RotaConfig, 'nodeId'> = {
  dataDir: '.rota',
  databaseUrl: null,
  host: '127.0.0.1',
  port: 7070,
  adminToken: null,
  defaultWorkspace: 'default',
  worker: { concurrency: 10, leaseMs: 30_000, pollMs: 1_000, shutdownGraceMs: 30_000, enabled: true },
  scheduler: { enabled: true },
  http: { allowlist: [], maxResponseBytes: 10 * 1024 * 1024, defaultTimeoutMs: 30_000 },
  shell: { enabled: false, maxOutputBytes: 1024 * 1024 },
  watchDir: null,
  maxBodyBytes: 1024 * 1024,
  logLevel: 'info',
  logFormat: null,
  slowCommitMs: 1_000,
  metrics: { enabled: true, public: false, automationLabels: true, gaugeCacheMs: 5_000 },
  providers: {},
  models: {},
  budgets: { automationPerDay: null, workspacePerDay: null },
  limits: { maxDepth: 16, workspaceConcurrency: null, stepLogLines: 100, runLogLines: 1000 },
  mcpServers: {},
  secretKey: null,
  publicUrl: null,
  retention: {
    enabled: true,
    maxAge: 30 * 86_400_000,
    maxRuns: 100,
    keepFailed: null,
    interval: 60_000,
    batchSize: 500,
    batchPause: 50,
    eventsMaxAge: 7 * 86_400_000,
    deliveriesMaxAge: 7 * 86_400_000,
    archiveDir: null,
  },
  tracing: { enabled: true, endpoint: null, serviceName: 'rota', sampleRatio: 1, headers: {} },
};

/** Whether this configuration exports traces (an endpoint set, not disabled). */
export function tracingEnabled(tracing: TracingConfig): boolean {
  return tracing.enabled && tracing.endpoint !== null;
}

/**
 * Any part of a configuration: objects at every depth may leave keys out (arrays and functions are
 * given whole). `createRota({ config: { worker: { concurrency: 4 } } })` keeps every other default.
 */
export type DeepPartial<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly unknown[]
    ? T
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> }
      : T;
