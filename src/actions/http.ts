import type { IncomingHttpHeaders } from 'node:http';
import { ErrorCode, NonRetriableError, RetriableError } from '../errors.js';
import type { ActionContext, ActionDefinition } from './types.js';
import { DURATION_PATTERN, parseDurationMs } from './parse-duration.js';
import { safeRequest, type SafeResponse } from './ssrf.js';
import { MAX_JSON_DEPTH, jsonTooDeepAt } from '../definition/json-depth.js';

type QueryValue = string | number | boolean;

export interface HttpConfig {
  method?: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
  url: string;
  headers?: Record<string, string>;
  query?: Record<string, QueryValue | QueryValue[]>;
  body?: unknown;
  timeout?: string;
  expect_status?: number[];
  max_response_bytes?: number;
  idempotency_key?: string;
  /** `auto` (default): a JSON response is parsed; `text`: the body is always a string */
  response?: 'auto' | 'text';
}

export interface HttpOutput {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

const EXCERPT_CHARS = 1000;
const scalar = { type: ['string', 'number', 'boolean'] };

function buildUrl(config: HttpConfig): URL {
  let url: URL;
  try {
    url = new URL(config.url);
  } catch {
    throw new NonRetriableError(`url: "${config.url}" is not an absolute URL`);
  }
  for (const [key, value] of Object.entries(config.query ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(v));
  }
  return url;
}

function buildRequest(ctx: ActionContext<HttpConfig>): { headers: Record<string, string>; body?: string } {
  const headers: Record<string, string> = { 'user-agent': 'rota', ...ctx.config.headers };
  const has = (name: string): boolean => Object.keys(headers).some((h) => h.toLowerCase() === name);
  if (!has('idempotency-key')) headers['idempotency-key'] = ctx.config.idempotency_key ?? ctx.idempotencyKey;
  if (!has('rota-attempt')) headers['rota-attempt'] = String(ctx.attempt);
  // The step's span when the node traces; a traceparent set in `headers` is the user's choice and kept.
  if (ctx.trace && !has('traceparent')) headers.traceparent = ctx.trace.traceparent;
  const raw = ctx.config.body;
  if (raw === undefined) return { headers };
  const body = typeof raw === 'string' ? raw : JSON.stringify(raw);
  if (typeof raw !== 'string' && !has('content-type')) headers['content-type'] = 'application/json';
  if (!has('content-length')) headers['content-length'] = String(Buffer.byteLength(body));
  return { headers, body };
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function parseBody(res: SafeResponse, ctx: ActionContext<HttpConfig>, method: string): unknown {
  const text = res.body.toString('utf8');
  if (ctx.config.response === 'text' || !/[/+]json\b/i.test(String(res.headers['content-type'] ?? ''))) return text;
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    ctx.log.warn('response says JSON but does not parse; returning it as text');
    return text;
  }
  // Outputs are bounded like every JSON that enters Rota: a deeper one would fail later walkers.
  const deep = jsonTooDeepAt(value, MAX_JSON_DEPTH, '$.body');
  if (deep !== null) {
    const url = new URL(res.url);
    throw new NonRetriableError(
      `${method} ${url.origin}${url.pathname} returned JSON nested deeper than ${MAX_JSON_DEPTH} levels (at ${deep}); set \`response: text\` on the step to keep the body as a string`,
      { code: ErrorCode.output_invalid, details: { path: deep, max_depth: MAX_JSON_DEPTH } },
    );
  }
  return value;
}

function isExpected(status: number, expect: number[] | undefined): boolean {
  return expect ? expect.includes(status) : status >= 200 && status < 300;
}

function statusError(res: SafeResponse, method: string): Error {
  const retriable = res.status === 408 || res.status === 429 || res.status >= 500;
  const url = new URL(res.url);
  const details: Record<string, unknown> = {
    status: res.status,
    url: url.origin + url.pathname,
    body_excerpt: res.body.toString('utf8', 0, EXCERPT_CHARS * 4).slice(0, EXCERPT_CHARS),
  };
  const retryAfter = Number(res.headers['retry-after']);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) details.retry_after_s = retryAfter;
  const message = `${method} ${url.origin}${url.pathname} returned HTTP ${res.status}`;
  const opts = { code: ErrorCode.http_error, details };
  return retriable ? new RetriableError(message, opts) : new NonRetriableError(message, opts);
}

async function handler(ctx: ActionContext<HttpConfig>): Promise<HttpOutput> {
  const { config, runtime } = ctx;
  const method = config.method ?? 'GET';
  const url = buildUrl(config);
  const timeoutMs = config.timeout === undefined ? runtime.http.defaultTimeoutMs : parseDurationMs(config.timeout, 'timeout');
  const maxResponseBytes = Math.min(runtime.http.maxResponseBytes, config.max_response_bytes ?? Infinity);
  const res = await safeRequest({
    url,
    method,
    ...buildRequest(ctx),
    allowlist: runtime.http.allowlist,
    maxResponseBytes,
    timeoutMs,
    signal: ctx.signal,
  });
  ctx.log.info(`${method} ${url.origin}${url.pathname} -> ${res.status}`);
  if (!isExpected(res.status, config.expect_status)) throw statusError(res, method);
  return { status: res.status, headers: flattenHeaders(res.headers), body: parseBody(res, ctx, method) };
}

/**
 * `http`: one HTTP(S) request through the SSRF guard.
 *
 * @example
 * - id: create
 *   action: http
 *   with:
 *     method: POST
 *     url: https://api.example.com/tickets
 *     headers: { authorization: "Bearer {{ secrets.API_TOKEN }}" }
 *     body: { title: "{{ inputs.title }}" }
 *     expect_status: [201]
 */
export const httpAction: ActionDefinition<HttpConfig, HttpOutput> = {
  type: 'http',
  description:
    'Sends an HTTP(S) request and returns {status, headers, body}; the body is parsed when the response ' +
    'is JSON (unless response: text). An object body is sent as JSON. Every request carries an Idempotency-Key header (the ' +
    'step idempotency key run_id:step_id, the same on every retry; idempotency_key or headers override ' +
    'it) and a Rota-Attempt header (1, 2, ... per retry); when the node exports traces, a W3C traceparent ' +
    'header of the step\'s span unless headers set one. Network errors, timeouts and HTTP 408/429/5xx ' +
    'are retriable; any other status outside expect_status (default: 2xx) fails the step. Private, ' +
    'loopback and link-local addresses are refused unless listed in the configuration key http.allowlist.',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['url'],
    properties: {
      method: { enum: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], default: 'GET' },
      url: { type: 'string', minLength: 1, description: 'Absolute http:// or https:// URL' },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      query: { type: 'object', additionalProperties: { anyOf: [scalar, { type: 'array', items: scalar }] } },
      body: { description: 'Object or array: sent as JSON. String: sent as is.' },
      timeout: { type: 'string', pattern: DURATION_PATTERN, description: 'e.g. 30s; default from configuration' },
      expect_status: {
        type: 'array',
        minItems: 1,
        items: { type: 'integer', minimum: 100, maximum: 599 },
        description: 'Statuses that count as success; default 200-299',
      },
      max_response_bytes: { type: 'integer', minimum: 1, description: 'Lower than the configured cap only' },
      idempotency_key: { type: 'string', minLength: 1, description: 'Idempotency-Key header value; default run_id:step_id' },
      response: {
        enum: ['auto', 'text'],
        default: 'auto',
        description: `auto: a JSON response body is parsed (nested deeper than ${MAX_JSON_DEPTH} levels fails the step output_invalid); text: the body is always a string`,
      },
    },
  },
  outputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['status', 'headers', 'body'],
    properties: {
      status: { type: 'integer' },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      body: {},
    },
  },
  secretFields: ['headers', 'body', 'query'],
  handler,
};
