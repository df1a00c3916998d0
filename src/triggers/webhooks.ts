/**
 * Webhook ingestion (`POST /hooks/{workspace}/{endpoint}`): endpoint lookup → body limit →
 * verification → activation → `fire` (the engine's one path to a run) → bounded delivery log.
 * The answer to an unauthenticated request never depends on whether the endpoint exists or is
 * enabled: same status, same body, comparable work.
 */
import { RunStatus } from '../states.js';
import { pageLimit, takePage } from '../paging.js';
import type { EngineContext } from '../engine/context.js';
import type { FireRequest, FireResult } from '../engine/fire.js';
import { findAutomation } from '../store/automations.js';
import { findEndpoint, getTriggerStats, listDeliveries, type EndpointRow } from '../store/webhooks.js';
import { parseByteSize } from '../definition/byte-size.js';
import { parseDuration } from '../definition/duration.js';
import { MAX_JSON_DEPTH, jsonDepthProblem } from '../definition/json-depth.js';
import type { Definition, WebhookTriggerDef } from '../definition/types.js';
import { ConflictError, ErrorCode, NotFoundError, RotaError, ValidationError, errorBody, httpStatusFor, toErrorShape } from '../errors.js';
import { iso } from '../time.js';
import { sha256Hex } from '../hash.js';
import { VerifyFailure, decoyVerification, deliveryIdHeader, verifyWebhook, type HeaderMap } from './webhook-verify.js';
import { isSecretRef, type SecretVault } from './secrets.js';
import { DeliveryOutcome, type DeliveryPage, type WebhookResponse } from './webhook-types.js';
import { DELIVERY_LOG_SIZE, DeliveryLog } from './delivery-log.js';

/**
 * Endpoint rows (trigger config + secret) are cached this long: a definition change or rotation
 * on this node clears the cache at once, one on another node takes effect within this time.
 * Misses are cached too, so unknown and known endpoints cost the same (no timing oracle).
 */
const ENDPOINT_TTL_MS = 1_000;
const ENDPOINT_CACHE_MAX = 10_000;

export interface IncomingWebhook {
  workspace: string;
  endpoint: string;
  headers: HeaderMap;
  /** declared Content-Length, when sent */
  contentLength: number | null;
  /** reads the body; resolves null as soon as it exceeds `limit` bytes */
  readBody(limit: number): Promise<Buffer | null>;
}

function tooLarge(limit: number): WebhookResponse {
  return { status: 413, body: errorBody(ErrorCode.payload_too_large, `request body exceeds ${limit} bytes`, { max_bytes: limit }) };
}

const UNAUTHENTICATED: WebhookResponse = {
  status: 401,
  body: errorBody(ErrorCode.unauthenticated, 'webhook verification failed'),
};

export class WebhookService {
  readonly #endpoints = new Map<string, { row: EndpointRow | undefined; at: number }>();
  readonly #log: DeliveryLog;
  /** bumped by invalidate: a lookup that began before it must not refill the cache */
  #generation = 0;

  constructor(
    private readonly ctx: EngineContext,
    private readonly vault: SecretVault,
    private readonly fire: (request: FireRequest) => Promise<FireResult>,
  ) {
    this.#log = new DeliveryLog(ctx);
  }

  /** A definition changed or a secret rotated on this node. */
  invalidate(): void {
    this.#generation++;
    this.#endpoints.clear();
  }

  async #endpoint(workspace: string, endpoint: string): Promise<EndpointRow | undefined> {
    const key = `${workspace}/${endpoint}`;
    const now = this.ctx.clock.now();
    const hit = this.#endpoints.get(key);
    if (hit && now - hit.at < ENDPOINT_TTL_MS) return hit.row;
    const generation = this.#generation;
    const row = await findEndpoint(this.ctx.store.db, workspace, endpoint);
    if (generation !== this.#generation) return row;
    if (this.#endpoints.size >= ENDPOINT_CACHE_MAX) this.#endpoints.clear();
    this.#endpoints.set(key, { row, at: now });
    return row;
  }

  async receive(req: IncomingWebhook): Promise<WebhookResponse> {
    const endpoint = await this.#endpoint(req.workspace, req.endpoint);
    const trigger = endpoint ? (JSON.parse(endpoint.config) as WebhookTriggerDef) : null;
    const own = trigger?.max_body ? parseByteSize(trigger.max_body) : null;
    // Before authentication every endpoint reads up to the server's limit, so a 413 there never
    // tells a known endpoint from an unknown one (audit D13); a smaller max_body is applied once the
    // sender is authenticated. A larger one raises this endpoint's bound (then it is told apart
    // by a body between the two sizes: the price of accepting it at all).
    const readLimit = Math.max(this.ctx.config.maxBodyBytes, own ?? 0);
    if (req.contentLength !== null && req.contentLength > readLimit) return this.#unauthenticated(endpoint, 'too_large', tooLarge(readLimit));
    const body = await req.readBody(readLimit);
    if (body === null) return this.#unauthenticated(endpoint, 'too_large', tooLarge(readLimit));
    const now = this.ctx.clock.now();
    // A disabled `none` endpoint has nothing to authenticate with: it answers like an unknown one.
    if (!endpoint || !trigger || (endpoint.enabled !== 1 && trigger.verify.scheme === 'none')) {
      decoyVerification(body);
      return this.#unauthenticated(null, VerifyFailure.unknown_endpoint, UNAUTHENTICATED);
    }
    const secrets = this.vault.candidates(trigger.verify.secret, secretRow(endpoint, trigger), now);
    if (secrets.length === 0 && this.vault.unsetEnv(trigger.verify.secret) !== null) {
      decoyVerification(body);
      this.#log.countUnauthenticated(endpoint.automation_id, endpoint.trigger_id, VerifyFailure.secret_unset, now);
      return this.#unauthenticated(endpoint, VerifyFailure.secret_unset, UNAUTHENTICATED);
    }
    const verdict = verifyWebhook(trigger.verify, req.headers, body, secrets, now);
    if (!verdict.ok) {
      this.#log.countUnauthenticated(endpoint.automation_id, endpoint.trigger_id, verdict.reason, now);
      return this.#unauthenticated(endpoint, verdict.reason, UNAUTHENTICATED);
    }
    const delivery = { endpoint, deliveryId: verdict.deliveryId, receivedAt: now };
    if (own !== null && body.byteLength > own) return this.#respond(delivery, DeliveryOutcome.rejected, 'too_large', [], tooLarge(own));
    if (endpoint.enabled !== 1) {
      return this.#respond(delivery, DeliveryOutcome.rejected, 'trigger_disabled', [], {
        status: 409,
        body: errorBody(ErrorCode.conflict, `trigger "${endpoint.trigger_id}" is disabled`),
      });
    }
    let data: unknown;
    try {
      data = parseBody(body, req.headers['content-type']);
    } catch {
      return this.#respond(delivery, DeliveryOutcome.rejected, 'invalid_json', [], {
        status: 400,
        body: errorBody(ErrorCode.invalid_request, 'the body is not valid JSON (Content-Type says JSON)'),
      });
    }
    // after authentication, so only the sender learns the limit
    const tooDeep = jsonDepthProblem(data);
    if (tooDeep) {
      return this.#respond(delivery, DeliveryOutcome.rejected, 'too_deep', [], {
        status: 400,
        body: errorBody(ErrorCode.invalid_request, `the body is JSON nested deeper than ${MAX_JSON_DEPTH} levels at ${tooDeep.path}`, [tooDeep]),
      });
    }
    return this.#fire(delivery, trigger, data, activationHeaders(trigger, req.headers), req.headers.traceparent);
  }

  async #fire(delivery: Delivery, trigger: WebhookTriggerDef, data: unknown, headers: Record<string, string>, traceparent: string | undefined): Promise<WebhookResponse> {
    const { endpoint, deliveryId } = delivery;
    let result: FireResult;
    try {
      result = await this.fire({
        workspaceId: endpoint.workspace_id,
        automationId: endpoint.automation_id,
        triggerId: trigger.id,
        source: `webhook:${deliveryId ?? 'no-delivery-id'}`,
        data,
        headers,
        idempotencyKey: idempotencyKey(trigger.id, deliveryId, this.ctx.ids),
        receivedAt: delivery.receivedAt,
        traceparent,
      });
    } catch (err) {
      const status = err instanceof RotaError ? httpStatusFor(err.code) : 500;
      this.#record(delivery, DeliveryOutcome.rejected, toErrorShape(err).code, [], status);
      throw err;
    }
    const base = { delivery_id: deliveryId };
    if (result.kind === 'filtered') {
      return this.#respond(delivery, DeliveryOutcome.filtered, 'filter', [], { status: 200, body: { ...base, runs: [], filtered: true, duplicate: false } });
    }
    const runs = [{ id: result.runId, status: result.status }];
    if (!result.created) return this.#respond(delivery, DeliveryOutcome.duplicate, null, [result.runId], { status: 200, body: { ...base, runs, filtered: false, duplicate: true } });
    return this.#respond(delivery, DeliveryOutcome.accepted, result.status === RunStatus.skipped ? 'skipped' : null, [result.runId], {
      status: 202,
      body: { ...base, runs, filtered: false, duplicate: false },
    });
  }

  #respond(delivery: Delivery, outcome: DeliveryOutcome, reason: string | null, runIds: string[], response: WebhookResponse): WebhookResponse {
    this.#record(delivery, outcome, reason, runIds, response.status);
    return response;
  }

  /**
   * A request refused before its sender was authenticated. Reported without the endpoint when it
   * does not exist (its name is the sender's, not a label of ours); never with the request's
   * headers, signature or body.
   */
  #unauthenticated(endpoint: EndpointRow | undefined | null, reason: string, response: WebhookResponse): WebhookResponse {
    this.ctx.telemetry.webhookDelivery({ outcome: DeliveryOutcome.rejected, reason, automationId: endpoint?.automation_id ?? null, triggerId: endpoint?.trigger_id ?? null });
    return response;
  }

  #record(delivery: Delivery, outcome: DeliveryOutcome, reason: string | null, runIds: string[], status: number): void {
    this.ctx.telemetry.webhookDelivery({ outcome, reason, automationId: delivery.endpoint.automation_id, triggerId: delivery.endpoint.trigger_id });
    this.#log.add({
      id: this.ctx.ids(),
      automation_id: delivery.endpoint.automation_id,
      trigger_id: delivery.endpoint.trigger_id,
      delivery_id: delivery.deliveryId,
      outcome,
      reason,
      status_code: status,
      run_ids: JSON.stringify(runIds),
      received_at: delivery.receivedAt,
    });
  }

  async deliveries(workspaceId: string, name: string, triggerId: string, opts: { cursor?: string | null; limit?: number } = {}): Promise<DeliveryPage> {
    const { db } = this.ctx.store;
    const { automationId } = await this.#webhookTrigger(workspaceId, name, triggerId);
    await this.#log.flush();
    const limit = pageLimit(opts.limit, DELIVERY_LOG_SIZE);
    const rows = await listDeliveries(db, automationId, triggerId, { before: opts.cursor, limit: limit + 1 });
    const stats = await getTriggerStats(db, automationId, triggerId);
    const page = takePage(rows, limit, (r) => r.id);
    const items = page.rows.map((r) => ({
      id: r.id,
      delivery_id: r.delivery_id,
      outcome: r.outcome as DeliveryOutcome,
      reason: r.reason,
      status_code: Number(r.status_code),
      run_ids: JSON.parse(r.run_ids) as string[],
      received_at: iso(r.received_at)!,
    }));
    return {
      items,
      next_cursor: page.next_cursor,
      unauthenticated: {
        count: Number(stats?.unauthenticated ?? 0),
        last_at: iso(stats?.last_unauthenticated_at),
        last_reason: stats?.last_unauthenticated_reason ?? null,
      },
    };
  }

  /** Sets a new secret; the previous one keeps verifying for `grace` (a duration, default 0). */
  async rotateSecret(workspaceId: string, name: string, triggerId: string, req: { secret: string; grace?: string }): Promise<{ rotated: true; previous_valid_until: string | null }> {
    let graceMs = 0;
    try {
      graceMs = req.grace === undefined ? 0 : parseDuration(req.grace);
    } catch (err) {
      throw new ValidationError(`grace: ${(err as Error).message}`, [{ path: '$.grace', message: (err as Error).message }]);
    }
    if (graceMs > 30 * 86_400_000) throw new ValidationError('grace: at most 30d', [{ path: '$.grace', message: 'at most 30d' }]);
    const { trigger } = await this.#webhookTrigger(workspaceId, name, triggerId);
    const now = this.ctx.clock.now();
    const { previousValidUntil } = await this.ctx.store.db.transaction().execute((tx) => this.vault.rotate(tx, workspaceId, trigger, req.secret, graceMs, now));
    this.invalidate();
    return { rotated: true, previous_valid_until: iso(previousValidUntil) };
  }

  async #webhookTrigger(workspaceId: string, name: string, triggerId: string): Promise<{ automationId: string; trigger: WebhookTriggerDef }> {
    const { db } = this.ctx.store;
    const automation = await findAutomation(db, workspaceId, name);
    if (!automation) throw new NotFoundError(`automation "${name}" not found`);
    const { definition } = await this.ctx.plans.get(db, automation.id, automation.latest_version);
    const trigger = (definition as Definition).triggers?.find((t) => t.id === triggerId);
    if (!trigger) throw new NotFoundError(`trigger "${triggerId}" not found on automation "${name}"`);
    if (trigger.type !== 'webhook') throw new ConflictError(`trigger "${triggerId}" is a ${trigger.type} trigger, not a webhook`);
    return { automationId: automation.id, trigger };
  }

  close(): Promise<void> {
    return this.#log.flush();
  }
}

interface Delivery {
  endpoint: EndpointRow;
  deliveryId: string | null;
  receivedAt: number;
}

function secretRow(endpoint: EndpointRow, trigger: WebhookTriggerDef) {
  const ref = trigger.verify.secret;
  if (!isSecretRef(ref) || endpoint.secret_id !== ref.secret_ref || endpoint.ciphertext === null) return null;
  return { id: endpoint.secret_id, ciphertext: endpoint.ciphertext, previous_ciphertext: endpoint.previous_ciphertext, previous_expires_at: endpoint.previous_expires_at };
}

/** Per trigger, so two webhook triggers of one automation never share a key; long ids are hashed. */
function idempotencyKey(triggerId: string, deliveryId: string | null, ids: () => string): string {
  if (deliveryId === null) return `webhook:${triggerId}:none:${ids()}`;
  const id = deliveryId.length <= 200 ? deliveryId : `sha256:${sha256Hex(deliveryId)}`;
  return `webhook:${triggerId}:${id}`;
}

const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json\b/i;

/** JSON (by Content-Type), GitHub's form encoding (`payload=<json>`), other forms, or text. */
export function parseBody(body: Buffer, contentType: string | undefined): unknown {
  const text = body.toString('utf8');
  const type = (contentType ?? '').trim();
  if (JSON_TYPE.test(type)) return text.trim() === '' ? null : (JSON.parse(text) as unknown);
  if (/^application\/x-www-form-urlencoded\b/i.test(type)) {
    const form = new URLSearchParams(text);
    const payload = form.get('payload');
    if (payload !== null) return JSON.parse(payload) as unknown;
    return Object.fromEntries(form);
  }
  return text === '' ? null : text;
}

const EVENT_HEADER = /^x-[a-z0-9-]{1,40}-event$/;

/**
 * The headers a filter or template may use as `headers.<name>` and that the run keeps in its
 * activation: descriptive ones only; signature, token and cookie headers never.
 */
function activationHeaders(trigger: WebhookTriggerDef, headers: HeaderMap): Record<string, string> {
  const keep = new Set(['content-type', 'user-agent', 'x-github-hook-id', 'x-github-hook-installation-target-type', 'webhook-timestamp']);
  const idHeader = deliveryIdHeader(trigger.verify);
  if (idHeader) keep.add(idHeader);
  if (trigger.verify.scheme === 'hmac') keep.add((trigger.verify.timestamp_header ?? 'x-timestamp').toLowerCase());
  const secretHeader = trigger.verify.header?.toLowerCase();
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || name === secretHeader || name === 'authorization' || name === 'cookie') continue;
    if (keep.has(name) || EVENT_HEADER.test(name)) out[name] = value.slice(0, 1000);
  }
  return out;
}
