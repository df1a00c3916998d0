import { DelegationStatus, WaitingFor } from '../states.js';
import { ErrorCode, NonRetriableError, RetriableError } from '../errors.js';
import type { ActionContext, ActionDefinition, DelegationState, Suspension } from './types.js';
import { DURATION_PATTERN, parseDurationMs } from './parse-duration.js';
import { safeRequest } from './ssrf.js';

export interface DelegateConfig {
  url: string;
  task: unknown;
  timeout?: string;
  headers?: Record<string, string>;
}

interface DelegateStepState {
  delegation_id: string;
}

/** What the step outputs: the runtime's `output`, as it sent it. */
type DelegateOutput = unknown;

function services(ctx: ActionContext<DelegateConfig>) {
  const { openDelegation, getDelegation } = ctx.services;
  if (!openDelegation || !getDelegation) throw new NonRetriableError('delegate is not available on this node');
  return { openDelegation, getDelegation };
}

function settle(ctx: ActionContext<DelegateConfig>, d: DelegationState): DelegateOutput | Suspension {
  if (d.state === DelegationStatus.succeeded) return d.output ?? null;
  if (d.state === DelegationStatus.failed) {
    throw new NonRetriableError(`the delegated task failed: ${d.error?.message ?? 'no message'}`, { code: ErrorCode.delegation_failed, details: d.error });
  }
  if (d.expiresAt !== null && ctx.now() >= d.expiresAt) {
    throw new NonRetriableError(`the runtime did not call back within ${ctx.config.timeout}`, { code: ErrorCode.delegation_timeout, details: { delegation_id: d.id } });
  }
  return ctx.suspend(WaitingFor.delegation, d.expiresAt, { delegation_id: d.id } satisfies DelegateStepState);
}

/** The step's span when the node traces, unless the step's headers set a traceparent of their own. */
function traceHeader(ctx: ActionContext<DelegateConfig>, headers: Record<string, string>): Record<string, string> {
  if (!ctx.trace || Object.keys(headers).some((h) => h.toLowerCase() === 'traceparent')) return {};
  return { traceparent: ctx.trace.traceparent };
}

async function handler(ctx: ActionContext<DelegateConfig>): Promise<DelegateOutput | Suspension> {
  const svc = services(ctx);
  const existing = await svc.getDelegation();
  if (ctx.state !== undefined || (existing && existing.state !== DelegationStatus.pending)) {
    if (!existing) throw new NonRetriableError('the delegation of this step no longer exists');
    return settle(ctx, existing);
  }
  // First call, or a re-execution before the suspension was stored: (re)post the task with a new
  // token under the same idempotency key; the first expiry stays.
  const { url, task, timeout, headers = {} } = ctx.config;
  const expiresAt = existing ? existing.expiresAt : timeout === undefined ? null : ctx.now() + parseDurationMs(timeout, 'timeout');
  const delegation = await svc.openDelegation({ url, expiresAt });
  const idempotencyKey = ctx.idempotencyKey;
  const body = JSON.stringify({
    task,
    callback_url: delegation.callbackUrl,
    callback_token: delegation.callbackToken,
    run_id: ctx.run.id,
    step_id: ctx.step.id,
    idempotency_key: idempotencyKey,
  });
  const res = await safeRequest({
    url,
    method: 'POST',
    headers: { ...traceHeader(ctx, headers), ...headers, 'content-type': 'application/json', 'idempotency-key': idempotencyKey, 'rota-attempt': String(ctx.attempt) },
    body,
    allowlist: ctx.runtime.http.allowlist,
    maxResponseBytes: 64 * 1024,
    timeoutMs: ctx.runtime.http.defaultTimeoutMs,
    signal: ctx.signal,
  });
  const target = new URL(res.url);
  if (res.status < 200 || res.status >= 300) {
    const message = `POST ${target.origin}${target.pathname} returned HTTP ${res.status}`;
    const opts = { code: ErrorCode.http_error, details: { status: res.status, body_excerpt: res.body.toString('utf8', 0, 500) } };
    throw res.status === 408 || res.status === 429 || res.status >= 500 ? new RetriableError(message, opts) : new NonRetriableError(message, opts);
  }
  ctx.log.info(`delegated to ${target.origin}${target.pathname} (HTTP ${res.status}); waiting for the callback of delegation ${delegation.id}`);
  // A runtime may call back before its POST answer arrives.
  return settle(ctx, (await svc.getDelegation()) ?? { id: delegation.id, state: DelegationStatus.pending, expiresAt });
}

/**
 * `delegate`: hands the step to an external agent runtime and waits (holding no worker slot) for
 * its callback.
 *
 * The runtime receives `POST url` with `{task, callback_url, callback_token, run_id, step_id,
 * idempotency_key}` and answers with any 2xx. Later it calls `POST callback_url` with
 * `Authorization: Bearer <callback_token>` and `{"output": ...}` (the step's output) or
 * `{"error": {"message": "..."}}` (the step fails delegation_failed). The token works once and only
 * for this step.
 *
 * @example
 * - id: research
 *   action: delegate
 *   with:
 *     url: https://agents.internal.example/tasks
 *     task: { topic: "{{ inputs.topic }}" }
 *     timeout: 2h
 *     headers: { authorization: "Bearer {{ secrets.AGENTS_TOKEN }}" }
 */
export const delegateAction: ActionDefinition<DelegateConfig, DelegateOutput> = {
  type: 'delegate',
  description:
    'Hands the step to an external agent runtime: POSTs {task, callback_url, callback_token, run_id, ' +
    'step_id, idempotency_key} to `url` (SSRF-guarded like http; with a W3C traceparent header when the node ' +
    'exports traces), then waits, holding no worker slot, ' +
    'until the runtime calls callback_url with "Authorization: Bearer <callback_token>" and {output} ' +
    '(becomes the step output) or {error: {message}} (the step fails delegation_failed). The token works ' +
    'once, for this step only. No callback within `timeout`: the step fails delegation_timeout. ' +
    'Callback URLs use the configuration key public_url (default http://host:port).',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['url', 'task'],
    properties: {
      url: { type: 'string', minLength: 1, description: 'Absolute http:// or https:// URL of the runtime' },
      task: { description: 'Any JSON: what the runtime should do' },
      timeout: { type: 'string', pattern: DURATION_PATTERN },
      headers: { type: 'object', additionalProperties: { type: 'string' } },
    },
  },
  secretFields: ['headers'],
  textFields: ['task'],
  handler,
};
