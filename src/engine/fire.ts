/**
 * From an activation to a run: the one path every trigger (schedule, webhook, event) takes.
 * Filter → inputs mapping → admission (pause, fire limits, overlap) → a queued or a `skipped` run,
 * decided and recorded in one transaction, idempotent by the activation's key.
 */
import type { Transaction } from 'kysely';
import type { DB } from '../store/schema.js';
import type { EngineContext } from './context.js';
import type { Admission, AdmittedRun, CreateRunSpec, CreatedRun, RunCreation } from './run-creation.js';
import type { Conn } from '../store/connect.js';
import type { Definition, FireLimitDef, OverlapPolicy, TriggerDef } from '../definition/types.js';
import { evaluateFilter } from '../definition/filter.js';
import { resolveTemplates } from '../definition/template.js';
import { parseDuration } from '../definition/duration.js';
import { CoalescedLoader } from './coalesced-loader.js';
import { dailyBudgetSpent, startOfUtcDay } from './daily-budget.js';
import { getAutomationById, getAutomationsByIds, type AutomationRow } from '../store/automations.js';
import { activeRunsOf, lockAutomationRows, recentQueueTimes, requestCancel } from '../store/runs.js';
import type { Dialect } from '../store/dialect.js';
import { NotFoundError, RateLimitedError, toErrorShape } from '../errors.js';
import { AutomationStatus, RunStatus, SkipReason, TriggerKind } from '../states.js';

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
  /** W3C traceparent of the sender (a webhook delivery): the run's trace continues it */
  traceparent?: string | null;
}

export type FireResult =
  | { kind: 'filtered' }
  /** `skip`: why, when the fire recorded a new `skipped` run (trigger health reads it) */
  | ({ kind: 'run' } & CreatedRun);

export class FireService {
  /** Concurrent single fires (webhook deliveries, events) read their automations in one query. */
  readonly #automations: CoalescedLoader<string, AutomationRow>;

  constructor(private readonly ctx: EngineContext, private readonly runs: RunCreation) {
    this.#automations = new CoalescedLoader((ids) => getAutomationsByIds(ctx.store.db, ids));
  }

  async fire(req: FireRequest): Promise<FireResult> {
    const row = await this.#automations.get(req.automationId);
    if (!row) throw new NotFoundError('automation not found');
    const resolved = await this.#resolve(this.ctx.store.db, req, null, row);
    if (resolved.kind === 'filtered') return resolved;
    return { kind: 'run', ...(await this.runs.create(resolved.spec)) };
  }

  /**
   * `fire` for many activations inside the caller's transaction: the scheduler claims the fire
   * ids, records the runs and advances the cursors in one commit. Shaped for batches: one query
   * for the automations, one lock statement and one query of active runs for those that need an
   * admission decision, one multi-row insert per table. Results are in the order of `reqs`; the
   * caller wakes workers after the commit. `known` holds automation rows the caller has just read
   * in this transaction (the scheduler's due query), saving their look-up; `at` is when the runs
   * count as queued (default: now).
   */
  async fireManyInTx(tx: Transaction<DB>, reqs: FireRequest[], opts: { known?: Map<string, AutomationRow>; at?: number } = {}): Promise<FireResult[]> {
    const known = opts.known ?? new Map<string, AutomationRow>();
    const missing = [...new Set(reqs.map((r) => r.automationId))].filter((id) => !known.has(id));
    const automations = new Map([...known, ...(await getAutomationsByIds(tx, missing))]);
    const batch = new AdmissionBatch(this.ctx.store.dialect);
    const results: FireResult[] = [];
    const specs: Array<{ at: number; spec: CreateRunSpec }> = [];
    for (const [at, req] of reqs.entries()) {
      const resolved = await this.#resolve(tx, req, batch, automations.get(req.automationId));
      results.push({ kind: 'filtered' });
      if (resolved.kind === 'spec') specs.push({ at, spec: { ...resolved.spec, ...(opts.at === undefined ? {} : { at: opts.at }) } });
    }
    await batch.load(tx, [...new Set(specs.filter((s) => s.spec.admit).map((s) => s.spec.automationId))]);
    const created = await this.runs.createManyInTx(tx, specs.map((s) => s.spec));
    for (const [k, { at }] of specs.entries()) results[at] = { kind: 'run', ...created[k]! };
    return results;
  }

  /**
   * `batch` is the transaction's admission state when fires share one (fireManyInTx); a single
   * fire gets a fresh one per attempt, since the commit queue may retry it in a new transaction.
   */
  async #resolve(conn: Conn, req: FireRequest, batch: AdmissionBatch | null, row?: AutomationRow): Promise<{ kind: 'filtered' } | { kind: 'spec'; spec: CreateRunSpec }> {
    const automation = row ?? (await getAutomationById(conn, req.automationId));
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
    const paused = automation.status !== AutomationStatus.active;
    // Read before the transaction: spending is written by agent steps, not by admission, so a
    // lock would order nothing; a fire racing the call that spends the day's last cent may run.
    const overBudget = forced || paused || mappingError ? null : await dailyBudgetSpent(conn, this.ctx.config.budgets.automationPerDay, automation.id, definition, this.ctx.clock.now());
    const spec: CreateRunSpec = {
      workspaceId: req.workspaceId,
      automationId: automation.id,
      automationRow: automation,
      inputs,
      idempotencyKey: req.idempotencyKey,
      trigger: { id: trigger.id, kind: trigger.type, source: req.source, data: req.data, headers: req.headers },
      receivedAt: req.receivedAt,
      traceparent: req.traceparent,
      depth: trigger.type === TriggerKind.event ? eventDepth(req.data) : 0,
      recordInvalidInputs: true,
      admit: async (tx, info): Promise<Admission> => {
        if (forced) return { kind: 'skip', ...forced };
        if (mappingError) return { kind: 'skip', reason: SkipReason.invalid_inputs, message: 'the trigger\'s inputs mapping failed', details: toErrorShape(mappingError) };
        if (paused) return { kind: 'skip', reason: SkipReason.paused, message: `automation is ${automation.status}` };
        if (overBudget) return { kind: 'skip', reason: SkipReason.budget, message: `daily budget spent: ${overBudget.message}`, details: budgetDetails(overBudget) };
        return this.admit(tx, info.automationId, info.now, trigger, definition, batch ?? new AdmissionBatch(this.ctx.store.dialect));
      },
      // Later fires of the batch count this run (overlap, fire limits) before it is inserted.
      ...(batch ? { onAdmitted: (run: AdmittedRun) => batch.admitted(run) } : {}),
    };
    // Nothing to decide in the transaction: the run can join the commit queue's batched insert.
    const trivial = !forced && !mappingError && !paused && !overBudget && !needsAdmission(trigger, definition);
    if (trivial) delete spec.admit;
    return { kind: 'spec', spec };
  }

  /** Fire limits (trigger, then automation), then overlap. Runs inside the creating transaction. */
  async admit(tx: Transaction<DB>, automationId: string, now: number, trigger: TriggerDef, definition: Definition, batch: AdmissionBatch): Promise<Admission> {
    // The row lock orders fires that count runs (fire limits, overlap). A fire that does neither
    // (webhooks and events default to `allow`) needs none: on PostgreSQL it serialized every
    // concurrent delivery of one automation behind the previous batch's commit (webhook bench).
    if (!needsAdmission(trigger, definition)) return { kind: 'run' };
    const active = await batch.active(tx, automationId);
    for (const [limit, triggerId] of [[trigger.fire_limit, trigger.id], [definition.execution?.fire_limit, null]] as const) {
      if (!limit) continue;
      const over = await fireLimitReached(tx, automationId, triggerId, limit, now, batch.counted(automationId, triggerId));
      if (over) {
        return { kind: 'skip', reason: SkipReason.fire_limit, message: `fire limit of ${limit.max} per ${limit.window} reached`, details: { retry_at: new Date(over.retryAt).toISOString(), max: limit.max, window: limit.window } };
      }
    }
    const policy = overlapPolicy(trigger, definition);
    if (policy === 'allow' || active.stored.length + active.pending.length === 0) return { kind: 'run' };
    switch (policy) {
      case 'skip':
        return { kind: 'skip', reason: SkipReason.overlap, message: 'a previous run is still active', details: { active_runs: [...active.stored, ...active.pending].map((r) => r.id) } };
      case 'queue':
        return { kind: 'queue' };
      case 'cancel_previous': {
        // The owner of a running run sees the request at its next commit or heartbeat; queued and
        // waiting runs are claimed at once and end `canceled` without executing anything.
        const ids = active.stored.map((r) => r.id);
        await requestCancel(tx, ids, now);
        for (const run of active.pending) Object.assign(run, { cancel_requested: 1, claim_at: now });
        return { kind: 'queue' };
      }
      default: {
        const never: never = policy;
        throw new Error(`unknown overlap policy ${String(never)}`);
      }
    }
  }

  /** A manual start (or a child run) of an automation whose daily budget is spent: refused (429) until midnight UTC. */
  async checkDailyBudget(automationId: string, definition: Definition): Promise<void> {
    const now = this.ctx.clock.now();
    const over = await dailyBudgetSpent(this.ctx.store.db, this.ctx.config.budgets.automationPerDay, automationId, definition, now);
    if (!over) return;
    const seconds = Math.max(1, Math.ceil((startOfUtcDay(now) + 86_400_000 - now) / 1000));
    throw new RateLimitedError(`daily budget spent: ${over.message}; runs may start again at midnight UTC (in ${seconds}s), or raise execution.budget.per_day`, seconds);
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
  return own ?? definition.execution?.overlap ?? (trigger.type === TriggerKind.schedule ? 'skip' : 'allow');
}

/**
 * Counts durable, non-skipped runs in the rolling window, plus `pending` (queue times of runs this
 * transaction admitted but has not inserted yet); returns when the next fire is allowed.
 */
async function fireLimitReached(
  conn: Conn,
  automationId: string,
  triggerId: string | null,
  limit: FireLimitDef,
  now: number,
  pending: number[] = [],
): Promise<{ retryAt: number } | null> {
  const windowMs = parseDuration(limit.window);
  const stored = await recentQueueTimes(conn, automationId, triggerId, now - windowMs, limit.max);
  const times = [...pending.filter((t) => t > now - windowMs), ...stored].sort((a, b) => b - a);
  if (times.length < limit.max) return null;
  return { retryAt: times[limit.max - 1]! + windowMs };
}

function budgetDetails(over: NonNullable<Awaited<ReturnType<typeof dailyBudgetSpent>>>) {
  return { max_cost_usd: over.limit.maxCostUsd ?? null, max_tokens: over.limit.maxTokens ?? null, spent_cost_usd: over.spent.costUsd, spent_tokens: over.spent.tokens };
}

/** The depth a `run.*` event carries (Rota's own events set it: the ended run's depth + 1). */
function eventDepth(data: unknown): number {
  const d = data as { depth?: unknown; run_id?: unknown } | null;
  return typeof d?.depth === 'number' && Number.isInteger(d.depth) && d.depth > 0 && typeof d.run_id === 'string' ? d.depth : 0;
}

/** Fires that count runs (fire limits, overlap other than `allow`) decide inside the transaction. */
export function needsAdmission(trigger: TriggerDef, definition: Definition): boolean {
  return overlapPolicy(trigger, definition) !== 'allow' || Boolean(trigger.fire_limit) || Boolean(definition.execution?.fire_limit);
}

/**
 * Admission state of one transaction: which automations are locked, their active runs as read
 * under the lock, and the runs admitted in this transaction but not inserted yet, so that a
 * batch's later fires see its earlier ones exactly as if each had been inserted at once.
 */
export class AdmissionBatch {
  readonly #dialect: Dialect;
  readonly #stored = new Map<string, Array<{ id: string; status: RunStatus }>>();
  readonly #admitted = new Map<string, AdmittedRun[]>();

  constructor(dialect: Dialect) {
    this.#dialect = dialect;
  }

  /** Locks these automations (in id order, one statement) and reads their active runs. */
  async load(tx: Transaction<DB>, automationIds: string[]): Promise<void> {
    const ids = automationIds.filter((id) => !this.#stored.has(id));
    if (ids.length === 0) return;
    await lockAutomationRows(tx, this.#dialect, ids);
    for (const id of ids) this.#stored.set(id, []);
    for (const run of await activeRunsOf(tx, ids)) this.#stored.get(run.automation_id)!.push(run);
  }

  async active(tx: Transaction<DB>, automationId: string): Promise<{ stored: Array<{ id: string; status: RunStatus }>; pending: AdmittedRun[] }> {
    await this.load(tx, [automationId]);
    const pending = (this.#admitted.get(automationId) ?? []).filter((r) => r.status === RunStatus.queued);
    return { stored: this.#stored.get(automationId)!, pending };
  }

  admitted(run: AdmittedRun): void {
    const list = this.#admitted.get(run.automation_id as string) ?? [];
    list.push(run);
    this.#admitted.set(run.automation_id as string, list);
  }

  /** Queue times of admitted, non-skipped runs (of one trigger, or of all when null). */
  counted(automationId: string, triggerId: string | null): number[] {
    return (this.#admitted.get(automationId) ?? [])
      .filter((r) => r.status !== RunStatus.skipped && (triggerId === null || r.trigger_id === triggerId))
      .map((r) => Number(r.queued_at));
  }
}
