/**
 * Bulk actions over runs: cancel or retry the runs named by id, or every run matching a filter.
 * Each run gets exactly what a single cancel or retry does (the same rules, its own transaction);
 * a filter is worked through in bounded batches, newest first, with a keyset cursor the caller
 * passes back, so that acting on 100,000 runs is many short calls and never one long transaction.
 */
import type { EngineContext } from '../engine/context.js';
import type { RunCancel } from '../engine/run-cancel.js';
import { automationNotActive } from '../engine/run-creation.js';
import { ErrorCode, RotaError, ValidationError, httpStatusFor } from '../errors.js';
import { AutomationStatus, RunStatus, isTerminalRun } from '../states.js';
import { getRunRow, type RunFilter } from '../store/runs.js';
import { automationStatuses, countRunsBelow, newestRetries, runsByIds, selectRunBatch, type BulkRunRow } from '../store/runs-bulk.js';
import { isRetriable, notRetriableMessage, type RunsService } from './runs-service.js';

export const BulkAction = { cancel: 'cancel', retry: 'retry' } as const;
export type BulkAction = (typeof BulkAction)[keyof typeof BulkAction];

/** Why a bulk action left a run alone. */
export const BulkSkipReason = {
  /** no such run in the workspace */
  not_found: 'not_found',
  /** cancel: the run had ended already */
  already_ended: 'already_ended',
  /** retry: the run did not fail (only failed, timed_out or canceled runs are retried) */
  not_failed: 'not_failed',
  /** retry: a retry of this run exists already (`retry_run_id`); retrying twice would run it twice */
  already_retried: 'already_retried',
  /** retry: its automation is paused or archived (a retry would answer 409) */
  automation_paused: 'automation_paused',
  /** the single action refused it for another reason (`code` says which) */
  refused: 'refused',
} as const;
export type BulkSkipReason = (typeof BulkSkipReason)[keyof typeof BulkSkipReason];

/** At most this many ids per call. */
export const BULK_MAX_IDS = 500;
/** Runs acted on per call for a filter, unless `limit` says otherwise (at most {@link BULK_MAX_IDS}). */
export const BULK_BATCH = 100;

export interface BulkRunsRequest {
  action: BulkAction;
  /** these runs (at most {@link BULK_MAX_IDS}); or */
  ids?: string[];
  /** every run matching this filter, a batch per call */
  filter?: RunFilter;
  /** filter: the `next_cursor` of the previous call */
  cursor?: string | null;
  /** filter: runs per call (default {@link BULK_BATCH}) */
  limit?: number;
}

export interface BulkRunResult {
  id: string;
  /** null when the run was not found */
  automation: string | null;
  outcome: 'done' | 'skipped';
  /** why it was skipped; null when done */
  reason: BulkSkipReason | null;
  /** the error code of a `refused` run, else null */
  code: string | null;
  /** what happened, in words */
  message: string;
  /** the run's status after the action (cancel: `canceled`, or still `running` while its step aborts) */
  status: RunStatus | null;
  /** retry: the run the retry started (or, `already_retried`, the newest earlier retry) */
  retry_run_id: string | null;
}

export interface BulkRunsResult {
  action: BulkAction;
  results: BulkRunResult[];
  done: number;
  skipped: number;
  /** filter: pass it back as `cursor` for the next batch; null when every matching run was handled */
  next_cursor: string | null;
  /** filter: the runs still matching beyond `next_cursor` (0 when done); ids: always 0 */
  remaining: number;
}

type Decision = { kind: 'act' } | { kind: 'skip'; reason: BulkSkipReason; message: string; retryRunId?: string };

/** What a bulk action does with one run, decided from what was read before acting. */
export function decideBulk(action: BulkAction, run: BulkRunRow, known: { retriedAs?: string; automationStatus?: AutomationStatus }): Decision {
  if (action === BulkAction.cancel) {
    return isTerminalRun(run.status) ? { kind: 'skip', reason: BulkSkipReason.already_ended, message: `already ended: ${run.status}` } : { kind: 'act' };
  }
  if (!isRetriable(run.status)) return { kind: 'skip', reason: BulkSkipReason.not_failed, message: notRetriableMessage(run.id, run.status) };
  if (known.retriedAs) return { kind: 'skip', reason: BulkSkipReason.already_retried, message: `already retried as ${known.retriedAs}`, retryRunId: known.retriedAs };
  if (known.automationStatus !== undefined && known.automationStatus !== AutomationStatus.active) {
    return { kind: 'skip', reason: BulkSkipReason.automation_paused, message: automationNotActive({ name: run.automation_name, status: known.automationStatus }).message };
  }
  return { kind: 'act' };
}

export class RunsBulkService {
  constructor(
    private readonly ctx: EngineContext,
    private readonly deps: { runs: RunsService; cancel: RunCancel },
  ) {}

  async run(workspaceId: string, req: BulkRunsRequest): Promise<BulkRunsResult> {
    if ((req.ids === undefined) === (req.filter === undefined)) {
      throw new ValidationError('give either ids or filter', [{ path: 'body', message: 'exactly one of ids and filter' }]);
    }
    const { db } = this.ctx.store;
    let rows: (BulkRunRow | string)[];
    let last: string | null = null;
    let limit = 0;
    if (req.ids !== undefined) {
      if (req.ids.length > BULK_MAX_IDS) throw new ValidationError(`at most ${BULK_MAX_IDS} ids per call`, [{ path: 'body.ids', message: `at most ${BULK_MAX_IDS}` }]);
      const ids = [...new Set(req.ids)];
      const found = new Map((await runsByIds(db, workspaceId, ids)).map((r) => [r.id, r]));
      rows = ids.map((id) => found.get(id) ?? id);
    } else {
      limit = Math.min(Math.max(Math.trunc(req.limit ?? BULK_BATCH), 1), BULK_MAX_IDS);
      const batch = await selectRunBatch(db, workspaceId, req.filter!, req.cursor ?? null, limit);
      last = batch.length === limit ? batch[batch.length - 1]!.id : null;
      rows = batch;
    }
    const present = rows.filter((r): r is BulkRunRow => typeof r !== 'string');
    const retries = req.action === BulkAction.retry ? await newestRetries(db, present.map((r) => r.id)) : new Map<string, string>();
    const automations = req.action === BulkAction.retry ? await automationStatuses(db, [...new Set(present.map((r) => r.automation_id))]) : new Map<string, AutomationStatus>();
    const results: BulkRunResult[] = [];
    for (const row of rows) {
      if (typeof row === 'string') {
        results.push(skipped(row, null, BulkSkipReason.not_found, `run ${row} not found`));
        continue;
      }
      const decision = decideBulk(req.action, row, { retriedAs: retries.get(row.id), automationStatus: automations.get(row.automation_id) });
      if (decision.kind === 'skip') results.push({ ...skipped(row.id, row, decision.reason, decision.message), retry_run_id: decision.retryRunId ?? null });
      else results.push(await (req.action === BulkAction.cancel ? this.#cancel(row) : this.#retry(workspaceId, row)));
    }
    const remaining = last === null ? 0 : await countRunsBelow(db, workspaceId, req.filter!, last);
    const done = results.filter((r) => r.outcome === 'done').length;
    this.ctx.logger.info({ action: req.action, done, skipped: results.length - done, remaining }, 'bulk run action');
    return { action: req.action, results, done, skipped: results.length - done, next_cursor: remaining > 0 ? last : null, remaining };
  }

  async #cancel(row: BulkRunRow): Promise<BulkRunResult> {
    const outcome = await this.deps.cancel.request(row.id);
    const status = (await getRunRow(this.ctx.store.db, row.id))?.status ?? null;
    if (outcome.kind === 'requested') return done(row, status, 'cancel requested: its running step is being aborted');
    // ended: canceled now, or it ended on its own between the read and the cancel
    if (status === RunStatus.canceled) return done(row, status, 'canceled');
    return { ...skipped(row.id, row, BulkSkipReason.already_ended, `already ended: ${status}`), status };
  }

  async #retry(workspaceId: string, row: BulkRunRow): Promise<BulkRunResult> {
    try {
      const run = await this.deps.runs.retry(workspaceId, row.id);
      return { ...done(row, row.status, `retried as ${run.id}`), retry_run_id: run.id };
    } catch (err) {
      // the single retry's refusals (a race with a pause, a limit) skip this run; anything else is a fault
      if (!(err instanceof RotaError) || httpStatusFor(err.code) >= 500) throw err;
      if (err.code === ErrorCode.automation_paused) return skipped(row.id, row, BulkSkipReason.automation_paused, err.message);
      if (err.code === ErrorCode.not_found) return skipped(row.id, row, BulkSkipReason.not_found, err.message);
      return { ...skipped(row.id, row, BulkSkipReason.refused, err.message), code: err.code };
    }
  }
}

function done(row: BulkRunRow, status: RunStatus | null, message: string): BulkRunResult {
  return { id: row.id, automation: row.automation_name, outcome: 'done', reason: null, code: null, message, status, retry_run_id: null };
}

function skipped(id: string, row: BulkRunRow | null, reason: BulkSkipReason, message: string): BulkRunResult {
  return { id, automation: row?.automation_name ?? null, outcome: 'skipped', reason, code: null, message, status: row?.status ?? null, retry_run_id: null };
}
