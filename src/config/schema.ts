/**
 * The zod schema of one configuration layer (file, environment or flags, after keys are camelCased):
 * every key optional, unknown keys rejected, every message phrased for a person reading
 * `ROTA_PORT: <message>`.
 */
import { z } from 'zod';
import { parseByteSize } from '../definition/byte-size.js';
import { parseDuration } from '../definition/duration.js';

/** How a string from the environment or the command line is read for a key path. */
export type FieldKind = 'string' | 'int' | 'number' | 'bool' | 'list' | 'bytes' | 'duration';

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  return JSON.stringify(value) ?? String(value);
}

function intIn(min: number, max: number, hint = '') {
  const error = (iss: { input?: unknown }) => `expected an integer ${min}-${max}${hint}, got ${show(iss.input)}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
}

function bytes(min: number) {
  const error = (iss: { input?: unknown }) => `expected a size in bytes ≥ ${min} (e.g. 1048576 or 1mb), got ${show(iss.input)}`;
  return z.preprocess(
    (v) => {
      if (typeof v !== 'string') return v;
      try {
        return parseByteSize(v);
      } catch {
        return v;
      }
    },
    z.int({ error }).min(min, { error }).max(Number.MAX_SAFE_INTEGER, { error }),
  );
}

/** A duration string (`30d`, `1m`, `500ms`) or milliseconds; `0` (or `0s`) where `zero` disables. */
function duration(min: number) {
  const error = (iss: { input?: unknown }) => `expected a duration${min === 0 ? ' (0 disables)' : ''} such as 30s, 10m, 7d or milliseconds ≥ ${min}, got ${show(iss.input)}`;
  return z.preprocess(
    (v) => {
      if (typeof v !== 'string') return v;
      if (/^\s*\d+\s*$/.test(v)) return Number(v);
      try {
        return parseDuration(v);
      } catch {
        return v;
      }
    },
    z.int({ error }).min(min, { error }).max(Number.MAX_SAFE_INTEGER, { error }),
  );
}

function bool() {
  return z.boolean({ error: (iss) => `expected true or false (env: 1/0, true/false, yes/no), got ${show(iss.input)}` });
}

function text(what: string, pattern: RegExp) {
  const error = (iss: { input?: unknown }) => `expected ${what}, got ${show(iss.input)}`;
  return z.string({ error }).regex(pattern, { error });
}

const nonEmpty = (what: string) => text(what, /\S/);

const databaseUrl = text('a postgres:// or postgresql:// URL (or null for SQLite)', /^postgres(ql)?:\/\/\S+$/).nullable();

const logLevel = z.enum(['debug', 'info', 'warn', 'error', 'silent'], {
  error: (iss) => `expected one of debug, info, warn, error, silent, got ${show(iss.input)}`,
});

const allowlistEntry = text('a host name, *.domain, IP address or CIDR', /^[A-Za-z0-9*.:/_[\]-]+$/);

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const usd = (what: string) => z.number({ error: (iss) => `expected ${what} (a number ≥ 0), got ${show(iss.input)}` }).min(0, { error: (iss) => `expected ${what} (a number ≥ 0), got ${show(iss.input)}` });
const stringMap = z.record(z.string(), z.string({ error: (iss) => `expected a string, got ${show(iss.input)}` }));
const namedMap = <T extends z.ZodType>(value: T) =>
  z.record(text('a name of letters, digits, "_" or "-" (at most 63)', NAME), value);

const provider = z
  .strictObject({
    kind: z.enum(['openai_compatible', 'anthropic'], { error: (iss) => `expected openai_compatible or anthropic, got ${show(iss.input)}` }),
    baseUrl: text('an http(s) URL', /^https?:\/\/\S+$/).nullable().optional(),
    apiKeyEnv: text('an environment variable name', /^[A-Za-z_][A-Za-z0-9_]*$/).nullable().optional(),
    headers: stringMap.optional(),
  })
  .transform((p) => ({ kind: p.kind, baseUrl: p.baseUrl ?? null, apiKeyEnv: p.apiKeyEnv ?? null, headers: p.headers ?? {} }));

const modelRef = text('"provider:model", e.g. openai:gpt-4o-mini', /^[A-Za-z0-9][A-Za-z0-9_-]*:\S+$/);
const model = z.union([
  modelRef.transform((m) => ({ model: m, price: null })),
  z
    .strictObject({
      model: modelRef,
      price: z.strictObject({ input: usd('USD per 1M input tokens'), output: usd('USD per 1M output tokens'), cached: usd('USD per 1M cached input tokens').optional() }).optional(),
    })
    .transform((m) => ({ model: m.model, price: m.price ? { input: m.price.input, output: m.price.output, cached: m.price.cached ?? m.price.input } : null })),
], { error: (iss) => `expected "provider:model" or {model, price}, got ${show(iss.input)}` });

const budgetLimit = z.strictObject({
  maxCostUsd: z.number({ error: (iss) => `expected a positive number, got ${show(iss.input)}` }).positive().optional(),
  maxTokens: intIn(1, Number.MAX_SAFE_INTEGER).optional(),
});

const mcpServer = z.discriminatedUnion('transport', [
  z.strictObject({
    transport: z.literal('stdio'),
    command: nonEmpty('a command'),
    args: z.array(z.string()).optional(),
    env: stringMap.optional(),
    cwd: nonEmpty('a directory').optional(),
  }).transform((s) => ({ transport: 'stdio' as const, command: s.command, args: s.args ?? [], env: s.env ?? {}, cwd: s.cwd ?? null })),
  z.strictObject({ transport: z.literal('http'), url: text('an http(s) URL', /^https?:\/\/\S+$/), headers: stringMap.optional() })
    .transform((s) => ({ transport: 'http' as const, url: s.url, headers: s.headers ?? {} })),
], { error: (iss) => `expected transport stdio or http, got ${show(iss.input)}` });

export const configLayerSchema = z.strictObject({
  dataDir: nonEmpty('a directory path'),
  databaseUrl,
  host: text('a host name or IP address', /^[A-Za-z0-9.:[\]_-]+$/),
  port: intIn(0, 65535, ' (0: any free port)'),
  adminToken: text('a token "rota_" followed by at least 16 letters, digits, "_" or "-"', /^rota_[A-Za-z0-9_-]{16,}$/).nullable(),
  defaultWorkspace: text('a workspace name matching [a-z0-9][a-z0-9-]{0,62}', /^[a-z0-9][a-z0-9-]{0,62}$/),
  nodeId: text('a node id of 1-128 letters, digits, ".", "_" or "-"', /^[A-Za-z0-9._-]{1,128}$/),
  worker: z.strictObject({
    concurrency: intIn(1, 10_000),
    leaseMs: intIn(100, 86_400_000),
    pollMs: intIn(10, 3_600_000),
    shutdownGraceMs: intIn(0, 3_600_000),
    enabled: bool(),
  }).partial(),
  http: z.strictObject({
    allowlist: z.array(allowlistEntry, { error: (iss) => `expected a list of hosts, IPs or CIDRs, got ${show(iss.input)}` }),
    maxResponseBytes: bytes(1),
    defaultTimeoutMs: intIn(1, 86_400_000),
  }).partial(),
  shell: z.strictObject({ enabled: bool(), maxOutputBytes: bytes(1) }).partial(),
  scheduler: z.strictObject({ enabled: bool() }).partial(),
  watchDir: nonEmpty('a directory path').nullable(),
  maxBodyBytes: bytes(1),
  logLevel,
  logFormat: z.enum(['json', 'pretty'], { error: (iss) => `expected json or pretty, got ${show(iss.input)}` }).nullable(),
  slowCommitMs: intIn(0, 3_600_000),
  metrics: z.strictObject({ enabled: bool(), public: bool(), automationLabels: bool(), gaugeCacheMs: intIn(0, 3_600_000) }).partial(),
  providers: namedMap(provider),
  models: namedMap(model),
  budgets: z.strictObject({ automationPerDay: budgetLimit.nullable(), workspacePerDay: budgetLimit.nullable() }).partial(),
  limits: z.strictObject({
    maxDepth: intIn(1, 1000),
    workspaceConcurrency: intIn(1, 1_000_000).nullable(),
    stepLogLines: intIn(1, 100_000),
    runLogLines: intIn(1, 1_000_000),
  }).partial(),
  retention: z.strictObject({
    enabled: bool(),
    maxAge: duration(0),
    maxRuns: intIn(0, 100_000_000, ' (0 disables)'),
    keepFailed: duration(0).nullable(),
    interval: duration(1_000),
    // each batch's run ids are bound parameters: SQLite takes 32,766 per statement, PostgreSQL 65,535
    batchSize: intIn(1, 10_000),
    batchPause: duration(0),
    eventsMaxAge: duration(0),
    deliveriesMaxAge: duration(0),
    archiveDir: nonEmpty('a directory path').nullable(),
  }).partial(),
  mcpServers: namedMap(mcpServer),
  secretKey: text('a 32-byte key as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)', /^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/).nullable(),
  publicUrl: text('an http:// or https:// URL', /^https?:\/\/\S+$/).nullable(),
  tracing: z.strictObject({
    enabled: bool(),
    endpoint: text('an http:// or https:// URL of an OTLP/HTTP traces receiver (e.g. http://localhost:4318/v1/traces)', /^https?:\/\/\S+$/).nullable(),
    serviceName: nonEmpty('a service name'),
    sampleRatio: z
      .number({ error: (iss) => `expected a number from 0 to 1, got ${show(iss.input)}` })
      .min(0, { error: (iss) => `expected a number from 0 to 1, got ${show(iss.input)}` })
      .max(1, { error: (iss) => `expected a number from 0 to 1, got ${show(iss.input)}` }),
    headers: stringMap,
  }).partial(),
}).partial();

export type ConfigLayer = z.output<typeof configLayerSchema>;

/** Key paths whose values are not plain strings. */
export const FIELD_KINDS: Readonly<Record<string, FieldKind>> = {
  port: 'int',
  'worker.concurrency': 'int',
  'worker.leaseMs': 'int',
  'worker.pollMs': 'int',
  'worker.shutdownGraceMs': 'int',
  'worker.enabled': 'bool',
  'http.allowlist': 'list',
  'http.maxResponseBytes': 'bytes',
  'http.defaultTimeoutMs': 'int',
  'shell.enabled': 'bool',
  'scheduler.enabled': 'bool',
  'shell.maxOutputBytes': 'bytes',
  maxBodyBytes: 'bytes',
  'limits.maxDepth': 'int',
  'limits.workspaceConcurrency': 'int',
  slowCommitMs: 'int',
  'metrics.enabled': 'bool',
  'metrics.public': 'bool',
  'metrics.automationLabels': 'bool',
  'metrics.gaugeCacheMs': 'int',
  'limits.stepLogLines': 'int',
  'limits.runLogLines': 'int',
  'retention.enabled': 'bool',
  'retention.maxAge': 'duration',
  'retention.maxRuns': 'int',
  'retention.keepFailed': 'duration',
  'retention.interval': 'duration',
  'retention.batchSize': 'int',
  'retention.batchPause': 'duration',
  'retention.eventsMaxAge': 'duration',
  'retention.deliveriesMaxAge': 'duration',
  'tracing.enabled': 'bool',
  'tracing.sampleRatio': 'number',
};
