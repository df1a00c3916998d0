/** The built-in tools: `http_fetch` (SSRF-guarded like the `http` action), `emit_event`, `get_run`. */
import { safeRequest } from '../actions/ssrf.js';
import type { ToolDefinition } from './tool.js';

const MAX_TEXT = 100_000;

const httpFetch: ToolDefinition<{ url: string; method?: string; headers?: Record<string, string>; body?: string }> = {
  name: 'http_fetch',
  description: 'Fetches a URL over HTTP(S) and returns status, content type and the body as text (truncated to 100,000 characters). Private and loopback addresses are refused unless allowlisted.',
  inputSchema: {
    type: 'object',
    properties: {
      url: { type: 'string', description: 'absolute http or https URL' },
      method: { type: 'string', enum: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
      body: { type: 'string' },
    },
    required: ['url'],
    additionalProperties: false,
  },
  handler: async (input, ctx) => {
    const response = await safeRequest({
      url: input.url,
      method: input.method ?? 'GET',
      headers: { 'idempotency-key': ctx.idempotencyKey, ...(input.headers ?? {}) },
      body: input.body,
      allowlist: ctx.runtime.http.allowlist,
      maxResponseBytes: ctx.runtime.http.maxResponseBytes,
      timeoutMs: ctx.runtime.http.defaultTimeoutMs,
      signal: ctx.signal,
    });
    const text = response.body.toString('utf8');
    return {
      status: response.status,
      content_type: String(response.headers['content-type'] ?? ''),
      url: response.url,
      body: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…[truncated ${text.length - MAX_TEXT} characters]` : text,
    };
  },
};

const emitEvent: ToolDefinition<{ name: string; data?: unknown }> = {
  name: 'emit_event',
  description: 'Publishes an event into this workspace (event triggers of other automations may start runs from it).',
  inputSchema: {
    type: 'object',
    properties: { name: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,200}$' }, data: {} },
    required: ['name'],
    additionalProperties: false,
  },
  handler: async (input, ctx) => ctx.services.emitEvent({ name: input.name, data: input.data, id: ctx.idempotencyKey }),
};

const getRun: ToolDefinition<{ run_id: string }> = {
  name: 'get_run',
  description: 'Reads a run of this workspace: its status, output and error.',
  inputSchema: { type: 'object', properties: { run_id: { type: 'string' } }, required: ['run_id'], additionalProperties: false },
  handler: async (input, ctx) => (await ctx.services.getRun(input.run_id)) ?? { error: `run ${input.run_id} not found` },
};

export const BUILTIN_TOOLS: readonly ToolDefinition[] = [httpFetch, emitEvent, getRun];
