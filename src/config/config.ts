/**
 * Resolves a node's configuration once, from four layers (highest first):
 *
 * 1. `flags` (command line, e.g. `rota serve --port 8080`),
 * 2. environment variables (`ROTA_PORT=8080`, see {@link ENV_VARS}),
 * 3. the YAML file (`--config FILE`, else `ROTA_CONFIG`, else `rota.config.yaml` in `cwd`),
 * 4. {@link DEFAULT_CONFIG}.
 *
 * Every layer is validated strictly: an unknown file key or a bad value is a `ValidationError` whose
 * details name the source and key (`ROTA_PORT: expected an integer 0-65535, got "abc"`). The result
 * is fully defaulted, its paths absolute, and deeply frozen.
 *
 * @example
 * const config = resolveConfig({ flags: { port: 8080 }, env: process.env, cwd: process.cwd() });
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ValidationError, type ErrorDetail } from '../errors.js';
import { configLayerSchema, FIELD_KINDS, type ConfigLayer, type FieldKind } from './schema.js';
import { DEFAULT_CONFIG, type DeepPartial, type RotaConfig } from './types.js';
import { isRecord } from '../definition/json-path.js';

export type { ConfigLayer } from './schema.js';

type Loose<T> = T extends number | boolean
  ? T | string
  : T extends readonly (infer U)[]
    ? U[] | string
    : T extends object
      ? { [K in keyof T]?: Loose<T[K]> }
      : T;

/** Command-line overrides: any subset of the configuration; numbers and booleans may be strings. */
export type ConfigFlags = Loose<ConfigLayer>;

export interface ResolveConfigOptions {
  flags?: ConfigFlags;
  /** default: process.env */
  env?: NodeJS.ProcessEnv;
  /** where relative paths and the default `rota.config.yaml` are looked up; default process.cwd() */
  cwd?: string;
  /** explicit config file (`--config FILE`); must exist */
  file?: string;
}

/** Environment variable → configuration key path. */
export const ENV_VARS: Readonly<Record<string, string>> = {
  ROTA_DATA_DIR: 'dataDir',
  ROTA_DATABASE_URL: 'databaseUrl',
  ROTA_HOST: 'host',
  ROTA_PORT: 'port',
  ROTA_ADMIN_TOKEN: 'adminToken',
  ROTA_DEFAULT_WORKSPACE: 'defaultWorkspace',
  ROTA_NODE_ID: 'nodeId',
  ROTA_WORKER: 'worker.enabled',
  ROTA_SCHEDULER: 'scheduler.enabled',
  ROTA_WORKER_CONCURRENCY: 'worker.concurrency',
  ROTA_LEASE_MS: 'worker.leaseMs',
  ROTA_POLL_MS: 'worker.pollMs',
  ROTA_SHUTDOWN_GRACE_MS: 'worker.shutdownGraceMs',
  ROTA_HTTP_ALLOWLIST: 'http.allowlist',
  ROTA_HTTP_MAX_RESPONSE_BYTES: 'http.maxResponseBytes',
  ROTA_HTTP_TIMEOUT_MS: 'http.defaultTimeoutMs',
  ROTA_SHELL_ENABLED: 'shell.enabled',
  ROTA_SHELL_MAX_OUTPUT_BYTES: 'shell.maxOutputBytes',
  ROTA_WATCH_DIR: 'watchDir',
  ROTA_MAX_BODY_BYTES: 'maxBodyBytes',
  ROTA_LOG_LEVEL: 'logLevel',
  ROTA_LOG_FORMAT: 'logFormat',
  ROTA_SLOW_COMMIT_MS: 'slowCommitMs',
  ROTA_METRICS: 'metrics.enabled',
  ROTA_METRICS_PUBLIC: 'metrics.public',
  ROTA_METRICS_AUTOMATION_LABELS: 'metrics.automationLabels',
  ROTA_SECRET_KEY: 'secretKey',
  ROTA_PUBLIC_URL: 'publicUrl',
  ROTA_MAX_DEPTH: 'limits.maxDepth',
  ROTA_WORKSPACE_CONCURRENCY: 'limits.workspaceConcurrency',
  ROTA_RETENTION: 'retention.enabled',
  ROTA_RETENTION_INTERVAL: 'retention.interval',
  ROTA_RETENTION_MAX_AGE: 'retention.maxAge',
  ROTA_RETENTION_MAX_RUNS: 'retention.maxRuns',
  ROTA_RETENTION_KEEP_FAILED: 'retention.keepFailed',
  ROTA_RETENTION_BATCH_SIZE: 'retention.batchSize',
  ROTA_RETENTION_ARCHIVE_DIR: 'retention.archiveDir',
  ROTA_TRACING: 'tracing.enabled',
  ROTA_TRACING_SAMPLE_RATIO: 'tracing.sampleRatio',
  OTEL_SERVICE_NAME: 'tracing.serviceName',
};

/**
 * The OpenTelemetry variables Rota reads (the SDK's own names, so a node is configured like any
 * other OpenTelemetry service). The general endpoint is a base URL: `/v1/traces` is appended, as
 * the OTLP specification says; the traces endpoint is used as it is and wins over it.
 */
const OTEL_ENDPOINTS = [
  { name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', url: (v: string) => v },
  { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', url: (v: string) => `${v.replace(/\/+$/, '')}/v1/traces` },
];

/** Flags whose names differ from the kebab-case of their key path. */
const FLAG_NAMES: Readonly<Record<string, string>> = { watchDir: '--watch', 'worker.enabled': '--no-worker', 'scheduler.enabled': '--no-scheduler', 'retention.enabled': '--no-retention' };

const NAMED_MAPS = new Set(['providers', 'models', 'mcp_servers']);

export const DEFAULT_CONFIG_FILES = ['rota.config.yaml', 'rota.config.yml'];

export function resolveConfig(options: ResolveConfigOptions = {}): RotaConfig {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  const problems: ErrorDetail[] = [];
  const file = locateConfigFile({ file: options.file, env, cwd });
  const layers = [
    file ? readFileLayer(file, cwd, problems) : {},
    readEnvLayer(env, cwd, problems),
    readFlagLayer(options.flags ?? {}, cwd, problems),
  ];
  if (problems.length > 0) throw configError(problems);
  const merged = layers.reduce<Record<string, unknown>>((acc, layer) => mergeDeep(acc, layer), {
    ...structuredClone(DEFAULT_CONFIG),
    dataDir: resolve(cwd, DEFAULT_CONFIG.dataDir),
  });
  if (merged.nodeId === undefined) merged.nodeId = defaultNodeId();
  return deepFreeze(merged as unknown as RotaConfig);
}

/**
 * A configuration given in code (an embedding application's `createRota({ config })`, tests):
 * completed with {@link DEFAULT_CONFIG} at every depth, with a generated node id when none is
 * given, and deeply frozen. Values are validated like a file layer (errors name `config.<key>`),
 * except `providers`, `models` and `mcpServers`, which code gives in their resolved shape (see
 * RotaConfig); an already resolved configuration is returned as it is.
 */
export function completeConfig(partial: DeepPartial<RotaConfig> = {}): RotaConfig {
  if (Object.isFrozen(partial) && typeof partial.nodeId === 'string') return partial as RotaConfig;
  const problems: ErrorDetail[] = [];
  const { providers: _p, models: _m, mcpServers: _s, ...plain } = partial;
  const layer = validateLayer(plain, problems, (path) => `config.${path.join('.')}`);
  if (problems.length > 0) throw configError(problems);
  // retention durations may be given as strings ('30d'): take them as the schema read them
  const given = layer.retention ? { ...partial, retention: layer.retention } : partial;
  const merged = mergeDeep(structuredClone(DEFAULT_CONFIG) as unknown as Record<string, unknown>, given);
  if (merged.nodeId === undefined) merged.nodeId = defaultNodeId();
  return deepFreeze(merged as unknown as RotaConfig);
}

/** The config file that {@link resolveConfig} reads, or null (none given and none in cwd). */
export function locateConfigFile(options: { file?: string; env?: NodeJS.ProcessEnv; cwd?: string }): string | null {
  const cwd = resolve(options.cwd ?? process.cwd());
  const explicit = options.file || (options.env ?? process.env).ROTA_CONFIG || undefined;
  if (explicit !== undefined) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) {
      const source = options.file ? '--config' : 'ROTA_CONFIG';
      throw configError([{ path: source, message: `config file not found: ${path}` }]);
    }
    return path;
  }
  for (const name of DEFAULT_CONFIG_FILES) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return path;
  }
  return null;
}

export function defaultNodeId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
}

function configError(problems: ErrorDetail[]): ValidationError {
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return new ValidationError(`invalid configuration: ${first.path}: ${first.message}${more}`, problems);
}

function readFileLayer(file: string, cwd: string, problems: ErrorDetail[]): ConfigLayer {
  const label = displayPath(file, cwd);
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line})` : '';
    problems.push({ path: label, message: `not valid YAML${where}: ${(err as Error).message.split('\n')[0]}` });
    return {};
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    problems.push({ path: label, message: 'expected a mapping of configuration keys' });
    return {};
  }
  const camel = camelizeKeys(doc as Record<string, unknown>, [], (path, key) =>
    problems.push({ path: `${label}: ${[...path, key].join('.')}`, message: 'unknown key (keys are snake_case, e.g. data_dir)' }),
  );
  const layer = validateLayer(camel, problems, (path) => `${label}: ${path.map(snakeCase).join('.')}`);
  return resolvePaths(layer, dirname(file));
}

function readEnvLayer(env: NodeJS.ProcessEnv, cwd: string, problems: ErrorDetail[]): ConfigLayer {
  const raw: Record<string, unknown> = {};
  const sourceOf = new Map<string, string>();
  for (const [name, keyPath] of Object.entries(ENV_VARS)) {
    const value = env[name];
    // An empty variable means unset, as `ROTA_DATABASE_URL= rota serve` intends.
    if (value === undefined || value === '') continue;
    setPath(raw, keyPath, coerce(value, FIELD_KINDS[keyPath] ?? 'string'));
    sourceOf.set(keyPath, name);
  }
  const endpoint = OTEL_ENDPOINTS.find((e) => env[e.name]);
  if (endpoint) {
    setPath(raw, 'tracing.endpoint', endpoint.url(env[endpoint.name]!.trim()));
    sourceOf.set('tracing.endpoint', endpoint.name);
  }
  // The SDK's own off switch; ROTA_TRACING, when set, decides.
  if (/^true$/i.test(env.OTEL_SDK_DISABLED?.trim() ?? '') && !env.ROTA_TRACING) setPath(raw, 'tracing.enabled', false);
  const layer = validateLayer(raw, problems, (path) => sourceOf.get(path.join('.')) ?? path.join('.'));
  return resolvePaths(layer, cwd);
}

function readFlagLayer(flags: ConfigFlags, cwd: string, problems: ErrorDetail[]): ConfigLayer {
  const raw = coerceTree(stripUndefined(flags) as Record<string, unknown>, []);
  const layer = validateLayer(raw, problems, (path) => {
    const key = path.join('.');
    return FLAG_NAMES[key] ?? `--${path.map(kebabCase).join('-')}`;
  });
  return resolvePaths(layer, cwd);
}

function validateLayer(raw: unknown, problems: ErrorDetail[], name: (path: string[]) => string): ConfigLayer {
  const result = configLayerSchema.safeParse(raw);
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ path: name([...path, key]), message: 'unknown key' });
    } else {
      problems.push({ path: name(path), message: issue.message });
    }
  }
  return {};
}

/** Strings from the environment or the command line, turned into the field's type when they read as one. */
function coerce(value: string, kind: FieldKind): unknown {
  const text = value.trim();
  switch (kind) {
    case 'int':
      return /^-?\d+$/.test(text) ? Number(text) : value;
    case 'number':
      return /^-?(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : value;
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off)$/i.test(text)) return false;
      return value;
    case 'list':
      return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    case 'bytes':
    case 'duration':
    case 'string':
      return value;
    default: {
      const never: never = kind;
      return never;
    }
  }
}

function coerceTree(obj: Record<string, unknown>, path: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    const keyPath = [...path, key].join('.');
    if (isRecord(value)) out[key] = coerceTree(value, [...path, key]);
    else if (typeof value === 'string' && FIELD_KINDS[keyPath]) out[key] = coerce(value, FIELD_KINDS[keyPath]);
    else out[key] = value;
  }
  return out;
}

function resolvePaths(layer: ConfigLayer, base: string): ConfigLayer {
  const out = { ...layer };
  if (typeof out.dataDir === 'string') out.dataDir = resolve(base, out.dataDir);
  if (typeof out.watchDir === 'string') out.watchDir = resolve(base, out.watchDir);
  if (typeof out.retention?.archiveDir === 'string') out.retention = { ...out.retention, archiveDir: resolve(base, out.retention.archiveDir) };
  return out;
}

function camelizeKeys(
  obj: Record<string, unknown>,
  path: string[],
  onBadKey: (path: string[], key: string) => void,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    // Names chosen by the user (providers, model aliases, MCP servers) are kept as written, and so
    // are an MCP server's `env` and `headers` maps (their keys are variable and header names).
    if (path.length === 1 && NAMED_MAPS.has(path[0]!)) {
      out[key] = isRecord(value) ? camelizeKeys(value, [...path, key], onBadKey) : value;
      continue;
    }
    if (path.length === 2 && path[0] === 'mcp_servers' && (key === 'env' || key === 'headers')) {
      out[key] = value;
      continue;
    }
    if ((path.length === 2 && path[0] === 'providers' && key === 'headers') || (path.length === 1 && path[0] === 'tracing' && key === 'headers')) {
      out[key] = value;
      continue;
    }
    if (!/^[a-z][a-z0-9_]*$/.test(key)) {
      onBadKey(path, key);
      continue;
    }
    const camel = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    out[camel] = isRecord(value) ? camelizeKeys(value, [...path, key], onBadKey) : value;
  }
  return out;
}

function setPath(target: Record<string, unknown>, keyPath: string, value: unknown): void {
  const parts = keyPath.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (!isRecord(node[part])) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

function mergeDeep(base: Record<string, unknown>, layer: object): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined) continue;
    out[key] = isRecord(value) && isRecord(out[key]) ? mergeDeep(out[key], value) : value;
  }
  return out;
}

function stripUndefined(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) out[key] = stripUndefined(v);
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function kebabCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
