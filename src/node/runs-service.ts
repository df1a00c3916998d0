/**
 * Runs as the interfaces see them: start (the manual trigger), read, list, cancel, retry, replay,
 * report, and waiting for or following a run. Creation itself is the run core's (engine/run-creation.ts).
 */
import type { EngineContext } from '../engine/context.js';
import type { RunCreation } from '../engine/run-creation.js';
import type { RunCancel } from '../engine/run-cancel.js';
import type { FireService } from '../engine/fire.js';
import type { RunEventView } from '../engine/run-events.js';
import { findAutomation, findWorkspace, getAutomationById } from '../store/automations.js';
import { getRunRow, getStepRows, listRunEvents, listRuns, type RunRow } from '../store/runs.js';
import { setRunPinned } from '../store/retention.js';
import type { Conn } from '../store/connect.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { AutomationStatus, RunStatus, TriggerKind } from '../states.js';
import { pageLimit, takePage } from '../paging.js';
import { runArtifacts } from '../agent/conversation.js';
import { runEventView, runView } from './convert.js';
import { buildReport } from './report.js';
import type { RunWatch } from './run-watch.js';
import type { Page, RunListFilter, RunReport, RunView, Workspace } from './views.js';

export interface StartRunRequest {
  inputs?: Record<string, unknown>;
  idempotencyKey?: string | null;
  /** start on this version (default: the latest) */
  version?: number;
  /** W3C traceparent of the caller: the run's trace continues the caller's (invalid: ignored) */
  traceparent?: string | null;
}

/** Runs that may be retried: they ended without succeeding. */
export function isRetriable(status: RunStatus): boolean {
  return status === RunStatus.failed || status === RunStatus.timed_out || status === RunStatus.canceled;
}

export function notRetriableMessage(runId: string, status: RunStatus): string {
  return `run ${runId} is ${status}; only failed, timed_out or canceled runs can be retried`;
}

/** A cancel that reaches a running run waits this long for the owner to abort its step. */
const CANCEL_SETTLE_MS = 5_000;
/** ... of which this long when the owner is another node (it sees the request at its next heartbeat). */
const CANCEL_REMOTE_MS = 2_000;

export class RunsService {
  constructor(
    private readonly ctx: EngineContext,
    private readonly deps: { creation: RunCreation; fires: FireService; cancel: RunCancel; watch: RunWatch },
  ) {}

  async start(workspaceId: string, name: string, req: StartRunRequest): Promise<{ run: RunView; created: boolean }> {
    const automation = await findAutomation(this.ctx.store.db, workspaceId, name);
    if (!automation) throw new NotFoundError(`automation "${name}" not found`);
    if (automation.status !== AutomationStatus.active) {
      const fix = automation.status === AutomationStatus.archived ? 'unarchive and resume it' : 'resume it';
      throw new ConflictError(`automation "${name}" is ${automation.status}; ${fix} before starting runs`);
    }
    const { definition } = await this.ctx.plans.get(this.ctx.store.db, automation.id, req.version ?? automation.latest_version);
    if (definition.execution?.fire_limit) await this.deps.fires.checkManualLimit(automation.id, definition);
    await this.deps.fires.checkDailyBudget(automation.id, definition);
    const result = await this.deps.creation.create({
      workspaceId,
      automationId: automation.id,
      automationRow: automation,
      version: req.version,
      inputs: req.inputs,
      idempotencyKey: req.idempotencyKey ?? null,
      trigger: { id: 'manual', kind: TriggerKind.manual, source: 'api' },
      traceparent: req.traceparent,
    });
    return { run: await this.get(workspaceId, result.runId), created: result.created };
  }

  async get(workspaceId: string, runId: string): Promise<RunView> {
    const { db } = this.ctx.store;
    const row = await this.#row(db, workspaceId, runId);
    const steps = await getStepRows(db, runId);
    const { plan } = await this.ctx.plans.get(db, row.automation_id, row.version);
    return runView(row, await this.#workspace(db, workspaceId), steps, plan);
  }

  async #workspace(conn: Conn, workspaceId: string): Promise<Workspace> {
    const row = await findWorkspace(conn, workspaceId);
    return { id: workspaceId, name: row?.name ?? workspaceId };
  }

  async list(workspaceId: string, f: RunListFilter): Promise<Page<RunView>> {
    const limit = pageLimit(f.limit);
    const { rows, total } = await listRuns(this.ctx.store.db, workspaceId, { ...f, before: f.cursor, limit: limit + 1 });
    const page = takePage(rows, limit, (r) => r.id);
    const workspace = await this.#workspace(this.ctx.store.db, workspaceId);
    return { items: page.rows.map((r) => runView(r, workspace)), next_cursor: page.next_cursor, total };
  }

  async events(workspaceId: string, runId: string, opts: { after?: number; limit?: number } = {}): Promise<RunEventView[]> {
    const { db } = this.ctx.store;
    await this.#row(db, workspaceId, runId);
    const rows = await listRunEvents(db, runId, opts.after ?? 0, Math.min(opts.limit ?? 1000, 5000));
    return rows.map(runEventView);
  }

  /** Pins (never pruned) or unpins a run; idempotent. */
  async pin(workspaceId: string, runId: string, pinned: boolean): Promise<RunView> {
    if (!(await setRunPinned(this.ctx.store.db, workspaceId, runId, pinned, this.ctx.clock.now()))) throw new NotFoundError(`run ${runId} not found`);
    return this.get(workspaceId, runId);
  }

  /** Ends the run `canceled` (an ended run is returned as it is). */
  async cancel(workspaceId: string, runId: string): Promise<RunView> {
    await this.#row(this.ctx.store.db, workspaceId, runId);
    const outcome = await this.deps.cancel.request(runId);
    if (outcome.kind === 'requested' && !outcome.local) await this.deps.watch.until(runId, CANCEL_REMOTE_MS);
    return this.wait(workspaceId, runId, CANCEL_SETTLE_MS);
  }

  /** New run from the failed step of a failed run; completed steps are reused. */
  async retry(workspaceId: string, runId: string, opts: { traceparent?: string | null } = {}): Promise<RunView> {
    const { db } = this.ctx.store;
    const row = await this.#row(db, workspaceId, runId);
    if (!isRetriable(row.status)) throw new ConflictError(notRetriableMessage(runId, row.status));
    const steps = await getStepRows(db, runId);
    const { runId: id } = await this.deps.creation.create({
      workspaceId,
      automationId: row.automation_id,
      version: row.version,
      inputs: JSON.parse(row.inputs),
      trigger: { id: row.trigger_id, kind: row.trigger_kind, source: 'retry', data: JSON.parse(row.activation).data },
      retryOf: { run: row, steps },
      depth: row.depth,
      requireActive: true,
      traceparent: opts.traceparent,
    });
    return this.get(workspaceId, id);
  }

  /** New run with the same inputs, optionally overridden, optionally on another version. */
  async replay(workspaceId: string, runId: string, opts: { inputs?: Record<string, unknown>; version?: number; traceparent?: string | null } = {}): Promise<RunView> {
    const { db } = this.ctx.store;
    const row = await this.#row(db, workspaceId, runId);
    const automation = await getAutomationById(db, row.automation_id);
    const version = opts.version ?? row.version;
    if (!automation || version < 1 || version > automation.latest_version) throw new NotFoundError(`version ${version} not found`);
    const { runId: id } = await this.deps.creation.create({
      workspaceId,
      automationId: row.automation_id,
      version,
      inputs: { ...JSON.parse(row.inputs), ...(opts.inputs ?? {}) },
      trigger: { id: row.trigger_id, kind: row.trigger_kind, source: 'replay', data: JSON.parse(row.activation).data },
      replayOf: row.id,
      depth: row.depth,
      requireActive: true,
      traceparent: opts.traceparent,
    });
    return this.get(workspaceId, id);
  }

  async report(workspaceId: string, runId: string): Promise<RunReport> {
    const run = await this.get(workspaceId, runId);
    const events = await this.events(workspaceId, runId, { limit: 5000 });
    return buildReport(run, events, await runArtifacts(this.ctx.store, runId));
  }

  /** The run once it is terminal (or waiting, with `untilWaiting`), or as it is after `timeoutMs`. */
  async wait(workspaceId: string, runId: string, timeoutMs: number, opts: { untilWaiting?: boolean } = {}): Promise<RunView> {
    await this.#row(this.ctx.store.db, workspaceId, runId);
    await this.deps.watch.until(runId, timeoutMs, opts);
    return this.get(workspaceId, runId);
  }

  subscribe(runId: string, afterSeq: number, onEvent: (event: RunEventView) => void): () => void {
    return this.deps.watch.subscribe(runId, afterSeq, onEvent);
  }

  async #row(conn: Conn, workspaceId: string, runId: string): Promise<RunRow> {
    const row = await getRunRow(conn, runId);
    // Another workspace's run looks exactly like a missing one.
    if (!row || row.workspace_id !== workspaceId) throw new NotFoundError(`run "${runId}" not found`);
    return row;
  }
}
