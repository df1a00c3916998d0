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
  /** OpenTelemetry traces over OTLP/HTTP (see docs/observability.md) */
  tracing: TracingConfig;
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
  providers: {},
  models: {},
  budgets: { automationPerDay: null, workspacePerDay: null },
  limits: { maxDepth: 16, workspaceConcurrency: null },
  mcpServers: {},
  secretKey: null,
  publicUrl: null,
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
