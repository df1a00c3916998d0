/**
 * From an activation to a run: the one path every trigger (schedule, webhook, event) takes.
 * Filter → inputs mapping → admission (pause, fire limits, overlap) → a queued or a `skipped` run,
 * decided and recorded in one transaction, idempotent by the activation's key.
 */
import type { Transaction } from 'kysely';
import type { DB } from '../store/schema.js';
import type { EngineContext } from './context.js';
import type { Admission, CreateRunSpec, RunsService } from './runs-service.js';
import type { Conn } from '../store/connect.js';
import type { FireLimitDef, OverlapPolicy, TriggerDef } from '../definition/types.js';
import { evaluateFilter } from '../definition/filter.js';
import { resolveTemplates } from '../definition/template.js';
import { parseDuration } from '../definition/duration.js';
import { getAutomationById } from '../store/automations.js';
import { lockAutomationRow } from '../store/runs.js';
import { NotFoundError, RateLimitedError, toErrorShape } from '../errors.js';
import { RunStatus, SkipReason } from './status.js';
import type { Definition } from '../definition/types.js';

export interface FireRequest {
  workspaceId: string;
  automationId: string;
  triggerId: string;
  /** where the activation came from (e.g. `schedule`, a webhook delivery, `event:<id>`) */
  source: string;
  data: unknown;
  /** fire id, delivery id or event id: the same key never produces a second run */
  idempotencyKey: string;
  receivedAt?: number;
  /** webhooks: descriptive request headers, usable as `headers.<name>` in filters and inputs */
  headers?: Record<string, string>;
  /** Record the activation as a `skipped` run with this reason, whatever the filter and inputs (a misfire). */
  skip?: { reason: SkipReason; message: string; details?: unknown };
}

export type FireResult =
  | { kind: 'filtered' }
  | { kind: 'run'; runId: string; created: boolean; status: string };

export class FireService {
  constructor(private readonly ctx: EngineContext, private readonly runs: RunsService) {}

  async fire(req: FireRequest): Promise<FireResult> {
    const resolved = await this.#resolve(this.ctx.store.db, req);
    if (resolved.kind === 'filtered') return resolved;
    return { kind: 'run', ...(await this.runs.create(resolved.spec)) };
  }

  /**
   * `fire` inside the caller's transaction: the scheduler claims the fire id, records the run and
   * advances the trigger's cursor in one commit. The caller wakes workers after the commit.
   */
  async fireInTx(tx: Transaction<DB>, req: FireRequest): Promise<FireResult> {
    const resolved = await this.#resolve(tx, req);
    if (resolved.kind === 'filtered') return resolved;
    return { kind: 'run', ...(await this.runs.createInTx(tx, resolved.spec)) };
  }

  async #resolve(conn: Conn, req: FireRequest): Promise<{ kind: 'filtered' } | { kind: 'spec'; spec: CreateRunSpec }> {
    const automation = await getAutomationById(conn, req.automationId);
    if (!automation || automation.workspace_id !== req.workspaceId) throw new NotFoundError('automation not found');
    const { definition } = await this.ctx.plans.get(conn, automation.id, automation.latest_version);
    const trigger = definition.triggers?.find((t) => t.id === req.triggerId);
    if (!trigger) throw new NotFoundError(`trigger "${req.triggerId}" not found on automation "${automation.name}"`);
    const forced = req.skip;
    if (!forced && trigger.filter && !evaluateFilter(trigger.filter, { data: req.data, headers: req.headers ?? {} })) return { kind: 'filtered' };

    let inputs: Record<string, unknown> = {};
    let mappingError: unknown = null;
    try {
      inputs = (resolveTemplates(trigger.inputs ?? {}, { data: req.data, headers: req.headers ?? {} }) ?? {}) as Record<string, unknown>;
    } catch (err) {
      mappingError = err;
    }
    const paused = automation.status !== 'active';
    const spec: CreateRunSpec = {
      workspaceId: req.workspaceId,
      automationId: automation.id,
      automationRow: automation,
      inputs,
      idempotencyKey: req.idempotencyKey,
      trigger: { id: trigger.id, kind: trigger.type, source: req.source, data: req.data, headers: req.headers },
      receivedAt: req.receivedAt,
      recordInvalidInputs: true,
      admit: async (tx, info): Promise<Admission> => {
        if (forced) return { kind: 'skip', ...forced };
        if (mappingError) return { kind: 'skip', reason: SkipReason.invalid_inputs, message: 'the trigger\'s inputs mapping failed', details: toErrorShape(mappingError) };
        if (paused) return { kind: 'skip', reason: SkipReason.paused, message: `automation is ${automation.status}` };
        return this.admit(tx, info.automationId, info.now, trigger, definition);
      },
    };
    // Nothing to decide in the transaction: the run can join the commit queue's batched insert.
    const trivial = !forced && !mappingError && !paused && overlapPolicy(trigger, definition) === 'allow' && !trigger.fire_limit && !definition.execution?.fire_limit;
    if (trivial) delete spec.admit;
    return { kind: 'spec', spec };
  }

  /** Fire limits (trigger, then automation), then overlap. Runs inside the creating transaction. */
  async admit(tx: Transaction<DB>, automationId: string, now: number, trigger: TriggerDef, definition: Definition): Promise<Admission> {
    // The row lock orders fires that count runs (fire limits, overlap). A fire that does neither
    // (webhooks and events default to `allow`) needs none: on PostgreSQL it serialized every
    // concurrent delivery of one automation behind the previous batch's commit (webhook bench).
    if (overlapPolicy(trigger, definition) === 'allow' && !trigger.fire_limit && !definition.execution?.fire_limit) return { kind: 'run' };
    await lockAutomationRow(tx, this.ctx.store.dialect, automationId);
    for (const [limit, triggerId] of [[trigger.fire_limit, trigger.id], [definition.execution?.fire_limit, null]] as const) {
      if (!limit) continue;
      const over = await fireLimitReached(tx, automationId, triggerId, limit, now);
      if (over) {
        return { kind: 'skip', reason: SkipReason.fire_limit, message: `fire limit of ${limit.max} per ${limit.window} reached`, details: { retry_at: new Date(over.retryAt).toISOString(), max: limit.max, window: limit.window } };
      }
    }
    const policy = overlapPolicy(trigger, definition);
    if (policy === 'allow') return { kind: 'run' };
    const active = await tx
      .selectFrom('runs')
      .select(['id', 'status'])
      .where('automation_id', '=', automationId)
      .where('status', 'in', [RunStatus.queued, RunStatus.running, RunStatus.waiting])
      .execute();
    if (active.length === 0) return { kind: 'run' };
    switch (policy) {
      case 'skip':
        return { kind: 'skip', reason: SkipReason.overlap, message: 'a previous run is still active', details: { active_runs: active.map((r) => r.id) } };
      case 'queue':
        return { kind: 'queue' };
      case 'cancel_previous':
        // The owner of a running run sees the request at its next commit or heartbeat; queued and
        // waiting runs are claimed at once and end `canceled` without executing anything.
        await tx.updateTable('runs').set({ cancel_requested: 1 }).where('id', 'in', active.map((r) => r.id)).execute();
        await tx.updateTable('runs').set({ claim_at: now }).where('id', 'in', active.map((r) => r.id)).where('status', '!=', RunStatus.running).execute();
        return { kind: 'queue' };
      default: {
        const never: never = policy;
        throw new Error(`unknown overlap policy ${String(never)}`);
      }
    }
  }

  /** The manual trigger's fire limit: refused (429) rather than recorded. */
  async checkManualLimit(automationId: string, definition: Definition): Promise<void> {
    const limit = definition.execution?.fire_limit;
    if (!limit) return;
    const over = await fireLimitReached(this.ctx.store.db, automationId, null, limit, this.ctx.clock.now());
    if (over) {
      const seconds = Math.max(1, Math.ceil((over.retryAt - this.ctx.clock.now()) / 1000));
      throw new RateLimitedError(`fire limit of ${limit.max} runs per ${limit.window} reached; retry after ${seconds}s`, seconds);
    }
  }
}

function overlapPolicy(trigger: TriggerDef, definition: Definition): OverlapPolicy {
  const own = 'overlap' in trigger ? trigger.overlap : undefined;
  return own ?? definition.execution?.overlap ?? (trigger.type === 'schedule' ? 'skip' : 'allow');
}

/** Counts durable, non-skipped runs in the rolling window; returns when the next fire is allowed. */
async function fireLimitReached(
  conn: Transaction<DB> | EngineContext['store']['db'],
  automationId: string,
  triggerId: string | null,
  limit: FireLimitDef,
  now: number,
): Promise<{ retryAt: number } | null> {
  const windowMs = parseDuration(limit.window);
  let q = conn
    .selectFrom('runs')
    .select('queued_at')
    .where('automation_id', '=', automationId)
    .where('status', '!=', RunStatus.skipped)
    .where('queued_at', '>', now - windowMs)
    .orderBy('queued_at', 'desc')
    .limit(limit.max);
  if (triggerId !== null) q = q.where('trigger_id', '=', triggerId);
  const rows = await q.execute();
  if (rows.length < limit.max) return null;
  return { retryAt: Number(rows[rows.length - 1].queued_at) + windowMs };
}
