/**
 * The one way runs come to exist (manual, child, retry, replay, trigger fires). Creation is one
 * transaction: run row, its pending steps and its first event, committed before the caller hears
 * of the run.
 */
import { AutomationStatus, isTerminalRun, RunEventType, RunStatus, SkipReason, StepStatus, type TriggerKind } from '../states.js';
import type { Insertable, Transaction } from 'kysely';
import type { DB, RunEventTable, RunTable } from '../store/schema.js';
import { insertRuns, type RunInsert } from '../store/run-insert.js';
import type { EngineContext } from './context.js';
import { getAutomationById, type AutomationRow } from '../store/automations.js';
import { findRunByIdempotencyKey, lockAutomationRows, lockRunRow, type RunRow, type StepRow } from '../store/runs.js';
import { Channel } from '../store/channels.js';
import type { Conn } from '../store/connect.js';
import { validateInputs } from '../definition/json-schema.js';
import { assertJsonDepth } from '../definition/json-depth.js';
import { resolveTemplates } from '../definition/template.js';
import { runPlan } from './run-plan.js';
import type { Plan } from '../definition/types.js';
import { ErrorCode, NotFoundError, RotaError, SKIPPED_CODE, ValidationError } from '../errors.js';
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { startRunSpan, storedTraceparent } from './run-trace.js';

export interface CreateRunSpec {
  workspaceId: string;
  automationId: string;
  /** the automation's row when the caller has just read it (trigger fires), saving a query */
  automationRow?: AutomationRow;
  version?: number;
  inputs: Record<string, unknown> | undefined;
  idempotencyKey?: string | null;
  trigger: { id: string; kind: TriggerKind; source: string; data?: unknown; headers?: Record<string, string> };
  parent?: { runId: string; stepId: string };
  /** links (child runs, `run.*` event chains) that led to this run (default 0) */
  depth?: number;
  /**
   * Refuse (`automation_paused`) unless the automation is active, decided under its row lock in
   * the creating transaction, so that a pause committed first is never outrun (child runs,
   * retries, replays: paths with no `skipped` run to record).
   */
  requireActive?: boolean;
  retryOf?: { run: RunRow; steps: StepRow[] };
  replayOf?: string;
  /** Trigger fires record invalid inputs as a `skipped` run (reason invalid_inputs) instead of throwing. */
  recordInvalidInputs?: boolean;
  /** Activation time (default: now). */
  receivedAt?: number;
  /** When the run is queued (default: now): a scheduled fire written ahead commits at its slot. */
  at?: number;
  /** Decided inside the creating transaction: overlap, fire limits (see fire.ts). */
  admit?: (tx: Transaction<DB>, info: { automationId: string; now: number }) => Promise<Admission>;
  /** Sees the run row as admitted, before it is inserted (fire.ts tracks a batch's runs). */
  onAdmitted?: (row: AdmittedRun) => void;
  /**
   * W3C traceparent of the caller (an API request, a webhook delivery): the run's trace becomes
   * part of the caller's. Invalid values are ignored.
   */
  traceparent?: string | null;
}

/** A run row as admission left it; fields may still be changed until it is inserted. */
export type AdmittedRun = PreparedRun['run'];

interface PreparedRun {
  kind: 'new';
  automation: AutomationRow;
  version: number;
  checked: ReturnType<typeof validateInputs>;
  run: Insertable<RunTable> & { id: string; status: RunStatus; retry_of: string | null; replay_of: string | null };
  steps: ReturnType<typeof initialSteps>;
  now: number;
  /** the run's creation span when this node traces: ended once the run is recorded */
  span: Span | null;
}

/** What creating a run did; `skip` says why, when it recorded a new `skipped` run. */
export interface CreatedRun {
  runId: string;
  created: boolean;
  status: RunStatus;
  skip?: Skip;
}

export type Skip = { reason: SkipReason; message: string; details?: unknown };

export type Admission =
  | { kind: 'run' }
  /** run after the active runs of the automation: held `queued` by a concurrency limit of one */
  | { kind: 'queue' }
  | ({ kind: 'skip' } & Skip);


export class RunCreation {
  constructor(private readonly ctx: EngineContext) {}

  /** The one way runs come to exist (manual, child, retry, replay, trigger fires). */
  async create(spec: CreateRunSpec): Promise<CreatedRun> {
    // A trigger fire with nothing to decide skips the look-up of its key (one query per webhook):
    // the insert's conflict finds a re-delivery. Fires that decide (overlap, limits) must look
    // first, or a re-delivery would act again (cancel_previous).
    const prepared = await this.#prepare(this.ctx.store.db, spec, !(spec.recordInvalidInputs && !spec.admit));
    if (prepared.kind === 'existing') return prepared.result;
    let recorded: { status: RunStatus; skip?: Skip } | null = null;
    try {
      if (!spec.admit && !spec.requireActive && prepared.checked.ok) {
        // Nothing to decide inside the transaction: the run joins the batched insert.
        const { run, steps, version, now } = prepared;
        const data = { trigger_id: spec.trigger.id, version, retry_of: run.retry_of, replay_of: run.replay_of };
        const event = { run_id: run.id, seq: 1, type: RunEventType.run_queued, step_id: null, data: JSON.stringify(data), idempotency_key: RunEventType.run_queued, created_at: now };
        recorded = (await this.ctx.commits.insert({ run, steps, events: [event] })) ? { status: RunStatus.queued } : null;
      } else {
        recorded = await this.ctx.commits.run((tx) => this.#record(tx, prepared, spec));
      }
    } catch (err) {
      endRunSpan(prepared.span, null, err);
      throw err;
    }
    endRunSpan(prepared.span, recorded?.status ?? null);
    if (recorded?.skip) this.observeSkip(prepared.run, recorded.skip);
    return this.#finish(spec, prepared, recorded);
  }

  /**
   * `create` for many specs inside the caller's transaction (the scheduler claims fire ids,
   * records the runs and advances the cursors in one commit): admissions in order, then one
   * multi-row insert per table. No look-up of the keys first: the insert's conflict says it. The
   * caller wakes workers when a returned status is `queued`: `pg_notify(WAKE_CHANNEL)` once in its
   * transaction (PostgreSQL) and `notifier.runsAvailable()` after the commit.
   */
  async createManyInTx(tx: Transaction<DB>, specs: CreateRunSpec[]): Promise<CreatedRun[]> {
    const built: Array<{ prepared: PreparedRun; item: RunInsert; status: RunStatus; skip?: Skip }> = [];
    for (const spec of specs) {
      const prepared = (await this.#prepare(tx, spec, false)) as PreparedRun;
      built.push({ prepared, ...(await this.#build(tx, prepared, spec)) });
    }
    const inserted = await insertRuns(tx, this.ctx.store.dialect, built.map((b) => b.item));
    const results: CreatedRun[] = [];
    for (const [i, { prepared, status, skip }] of built.entries()) {
      endRunSpan(prepared.span, inserted[i] ? status : null);
      if (inserted[i]) {
        results.push({ runId: prepared.run.id, created: true, status, ...(skip ? { skip } : {}) });
        continue;
      }
      const existing = await findRunByIdempotencyKey(tx, prepared.automation.id, specs[i]!.idempotencyKey!);
      results.push({ runId: existing!.id, created: false, status: existing!.status });
    }
    return results;
  }

  async #prepare(conn: Conn, spec: CreateRunSpec, precheck = true): Promise<PreparedRun | { kind: 'existing'; result: { runId: string; created: false; status: RunStatus } }> {
    // The HTTP boundary bounds bodies already; library callers (rota.runs.start) and child runs
    // reach this point directly, and the walkers below would overflow on a deep value.
    assertJsonDepth(spec.inputs, "the run's inputs", '$.inputs');
    const automation = spec.automationRow ?? (await getAutomationById(conn, spec.automationId));
    if (!automation || automation.workspace_id !== spec.workspaceId) throw new NotFoundError('automation not found');
    if (spec.idempotencyKey && precheck) {
      const existing = await findRunByIdempotencyKey(conn, automation.id, spec.idempotencyKey);
      if (existing) return { kind: 'existing' as const, result: { runId: existing.id, created: false, status: existing.status } };
    }
    const version = spec.version ?? automation.latest_version;
    const { plan } = await this.ctx.plans.get(conn, automation.id, version);
    const checked = validateInputs(plan.inputsSchema, spec.inputs ?? {});
    if (!checked.ok && !spec.recordInvalidInputs) {
      throw new ValidationError("inputs do not match the automation's inputs schema", checked.errors, ErrorCode.inputs_invalid);
    }
    const inputs = (checked.ok ? checked.value : (spec.inputs ?? {})) as Record<string, unknown>;
    const now = spec.at ?? this.ctx.clock.now();
    const id = this.ctx.ids();
    const activation = {
      kind: spec.trigger.kind,
      trigger_id: spec.trigger.id,
      workspace: spec.workspaceId,
      source: spec.trigger.source,
      data: spec.trigger.data ?? null,
      ...(spec.trigger.headers ? { headers: spec.trigger.headers } : {}),
      received_at: new Date(spec.receivedAt ?? now).toISOString(),
      idempotency_key: spec.idempotencyKey ?? null,
    };
    const concurrencyKey = plan.concurrencyKey && checked.ok ? String(resolveTemplates(plan.concurrencyKey, { inputs })) : null;
    const tracer = this.ctx.tracer;
    const info = { runId: id, workspaceId: spec.workspaceId, automation: automation.name, version, triggerId: spec.trigger.id, triggerKind: spec.trigger.kind };
    const created = tracer ? startRunSpan(tracer, info, spec.traceparent) : null;
    // Without tracing nothing is written unless a caller sent its traceparent (another node may trace).
    const traceparent = created || spec.traceparent ? storedTraceparent(created, spec.traceparent) : null;
    const run = {
      id,
      workspace_id: spec.workspaceId,
      automation_id: automation.id,
      automation_name: automation.name,
      version,
      trigger_id: spec.trigger.id,
      trigger_kind: spec.trigger.kind,
      activation: JSON.stringify(activation),
      idempotency_key: spec.idempotencyKey ?? null,
      inputs: JSON.stringify(inputs),
      status: RunStatus.queued,
      queued_at: now,
      parent_run_id: spec.parent?.runId ?? null,
      parent_step_id: spec.parent?.stepId ?? null,
      depth: spec.depth ?? 0,
      retry_of: spec.retryOf?.run.id ?? null,
      replay_of: spec.replayOf ?? null,
      concurrency_key: concurrencyKey,
      concurrency_limit: plan.concurrency,
      claim_at: now,
      timeout_ms: plan.timeoutMs,
      event_seq: 1,
      attempt: 0,
      cost_usd: 0,
      tokens: 0,
      cancel_requested: 0,
      pinned: 0,
      updated_at: now,
      ...(traceparent ? { traceparent } : {}),
    };
    const steps = initialSteps(plan, id, spec.retryOf?.steps);
    return { kind: 'new', automation, version, checked, run, steps, now, span: created?.span ?? null };
  }

  /** Admission and the inserts; null when the idempotency key was taken meanwhile. */
  async #record(tx: Transaction<DB>, prepared: PreparedRun, spec: CreateRunSpec): Promise<{ status: RunStatus; skip?: Skip } | null> {
    if (spec.requireActive) await this.#requireActive(tx, prepared.automation.id, spec.parent?.runId ?? null);
    const { item, status, skip } = await this.#build(tx, prepared, spec);
    const [inserted] = await insertRuns(tx, this.ctx.store.dialect, [item]);
    if (!inserted) return null;
    if (status !== RunStatus.skipped) await this.ctx.store.notify(tx, Channel.wake);
    return { status, skip };
  }

  /** A skipped run committed (callers of createManyInTx report theirs after their commit). */
  observeSkip(run: { id: string; automation_name: string; trigger_kind: TriggerKind }, skip: Skip): void {
    this.ctx.telemetry.runSkipped({ runId: run.id, automation: run.automation_name, trigger: run.trigger_kind, reason: skip.reason, message: skip.message });
  }

  async #requireActive(tx: Transaction<DB>, automationId: string, parentRunId: string | null): Promise<void> {
    await lockAutomationRows(tx, this.ctx.store.dialect, [automationId]);
    const row = await getAutomationById(tx, automationId);
    if (row && row.status !== AutomationStatus.active) throw automationNotActive(row);
    if (parentRunId === null) return;
    // A parent's cancel may commit while its step is still starting the child: under the parent's
    // row lock, either the cancel came first (no child) or the child is there for cancelChildren.
    const parent = await lockRunRow(tx, this.ctx.store.dialect, parentRunId);
    if (!parent || isTerminalRun(parent.status) || parent.cancel_requested) {
      throw new RotaError(ErrorCode.canceled, `run ${parentRunId} was canceled or has ended; no child run started`);
    }
  }

  /** The admission decision and the rows it makes: the run, its steps and its first events. */
  async #build(tx: Transaction<DB>, prepared: PreparedRun, spec: CreateRunSpec): Promise<{ item: RunInsert; status: RunStatus; skip?: Skip }> {
    const { automation, version, checked, run, steps, now } = prepared;
    let admission: Admission = checked.ok
      ? { kind: 'run' }
      : { kind: 'skip', reason: SkipReason.invalid_inputs, message: "inputs do not match the automation's inputs schema", details: checked.errors };
    if (admission.kind === 'run' && spec.admit) admission = await spec.admit(tx, { automationId: automation.id, now });
    const row = admission.kind === 'skip' ? skippedRun(run, admission, now) : admission.kind === 'queue' ? { ...run, concurrency_limit: 1 } : { ...run };
    spec.onAdmitted?.(row);
    const data = { trigger_id: spec.trigger.id, version, retry_of: run.retry_of, replay_of: run.replay_of };
    const events: Insertable<RunEventTable>[] = [{ run_id: run.id, seq: 1, type: RunEventType.run_queued, step_id: null, data: JSON.stringify(data), idempotency_key: RunEventType.run_queued, created_at: now }];
    if (admission.kind === 'skip') {
      const skipData = JSON.stringify({ reason: admission.reason, message: admission.message, details: admission.details ?? null });
      events.push({ run_id: run.id, seq: 2, type: RunEventType.run_skipped, step_id: null, data: skipData, idempotency_key: RunEventType.run_skipped, created_at: now });
    }
    const skip = admission.kind === 'skip' ? { reason: admission.reason, message: admission.message, details: admission.details } : undefined;
    return { item: { run: row, steps: admission.kind === 'skip' ? [] : steps, events }, status: row.status, skip };
  }

  async #finish(spec: CreateRunSpec, prepared: { automation: { id: string }; run: { id: string } }, recorded: { status: RunStatus; skip?: Skip } | null): Promise<CreatedRun> {
    if (recorded === null) {
      const existing = await findRunByIdempotencyKey(this.ctx.store.db, prepared.automation.id, spec.idempotencyKey!);
      return { runId: existing!.id, created: false, status: existing!.status };
    }
    if (recorded.status === RunStatus.queued) this.ctx.notifier.runsAvailable();
    return { runId: prepared.run.id, created: true, status: recorded.status, ...(recorded.skip ? { skip: recorded.skip } : {}) };
  }
}

/** `status` null: no run was recorded (its idempotency key was taken, or `error`). */
function endRunSpan(span: Span | null, status: RunStatus | null, error?: unknown): void {
  if (!span) return;
  if (status) span.setAttribute('rota.run.status', status);
  else span.setAttribute('rota.run.recorded', false);
  if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message ?? String(error) });
  span.end();
}

/** Refusal of a run of a paused or archived automation (HTTP 409, the step's error for a child run). */
export function automationNotActive(row: { name: string; status: AutomationStatus }): RotaError {
  const how = row.status === AutomationStatus.archived ? 'it is archived' : `resume it first (rota resume ${row.name}, or POST /api/v1/automations/${row.name}/resume)`;
  return new RotaError(ErrorCode.automation_paused, `automation "${row.name}" is ${row.status}: ${how}`, { details: { automation: row.name, status: row.status } });
}

/** A fire that was recorded but deliberately not executed (SPEC §3 `skipped`). */
function skippedRun<R extends { status: RunStatus }>(run: R, admission: Extract<Admission, { kind: 'skip' }>, now: number) {
  const error = { code: SKIPPED_CODE[admission.reason], message: admission.message, details: admission.details };
  return { ...run, status: RunStatus.skipped, skip_reason: admission.reason, ended_at: now, claim_at: null, event_seq: 2, error: JSON.stringify(error) };
}

/** Pending steps of a new run; a retry reuses the steps that completed in the failed run. */
function initialSteps(versionPlan: Plan, runId: string, previous?: StepRow[]) {
  const reuse = new Map((previous ?? []).filter((s) => s.status === StepStatus.succeeded || s.status === StepStatus.skipped).map((s) => [s.step_id, s]));
  // a reused planning step brings its plan along: the steps it planned are reused where they completed
  const plan = runPlan(versionPlan, reuse);
  const all = [...plan.steps, ...plan.onFailure];
  return all.map((step, idx) => {
    const old = plan.onFailure.includes(step) ? undefined : reuse.get(step.id);
    return {
      run_id: runId,
      step_id: step.id,
      idx,
      status: old ? old.status : StepStatus.pending,
      attempt: old ? old.attempt : 0,
      started_at: old?.started_at ?? null,
      ended_at: old?.ended_at ?? null,
      input: old?.input ?? null,
      output: old?.output ?? null,
      external_ref: old ? JSON.stringify({ reused_from: old.run_id }) : null,
      cost_usd: 0,
    };
  });
}
