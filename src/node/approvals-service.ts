/**
 * Approvals: a pending human decision attached to a run step (the `approval` action) or to one
 * tool call or budget raise of an `agent` step. Flow:
 *
 * 1. a handler calls `requestApproval` (idempotent by run, step and key) and suspends with
 *    waitingFor `approval` and wake_at = the approval's expiry;
 * 2. `decide` records a decision (who, when, comment, edited value) and, once the approval is
 *    decided, wakes the waiting step in the same transaction; `abort` also cancels the run;
 * 3. the re-invoked handler reads the state with `getApproval`. A pending approval past its expiry
 *    is settled on read: state `expired`, `outcome` = its on_timeout. One whose run ended without a
 *    decision is settled `expired` with no outcome.
 *
 * Who may decide: a token with `approvals:write` (or `admin`), and, when the approval lists
 * `approvers`, one matching an entry by token id, token name, or one of its scopes (e.g. `admin`).
 */
import { pageLimit, takePage } from '../paging.js';
import { ApprovalKind, ApprovalOutcome, ApprovalStatus, isTerminalRun, RunEventType, TERMINAL_RUN_STATUSES, type OnTimeout } from '../states.js';
import type { Transaction } from 'kysely';
import type { DB } from '../store/schema.js';
import type { ActionServices, ApprovalRequest, ApprovalState } from '../actions/types.js';
import { AuthError, ConflictError, ErrorCode, NotFoundError, ValidationError } from '../errors.js';
import {
  getApprovalListRow,
  getApprovalRow,
  insertApproval,
  listApprovalRows,
  pendingExpired,
  pendingOfEndedRuns,
  tokenName,
  updateApproval,
  type ApprovalListRow,
  type ApprovalRow,
} from '../store/approvals.js';
import { appendRunEvents, getRunRow } from '../store/runs.js';
import { fromJson } from '../store/json.js';
import type { EngineContext } from '../engine/context.js';
import { iso } from '../time.js';
import { afterWake, wakeInTransaction, type WakeResult } from '../engine/wake.js';
import { decideApproval, decidedBy, type ApprovalDecisionInput, type DecisionRecord, type Decider } from './approval-decision.js';
import type { ApprovalView, Page, Principal } from './views.js';

const ON_TIMEOUT_OUTCOME = { reject: ApprovalOutcome.rejected, approve: ApprovalOutcome.approved, abort: ApprovalOutcome.aborted } as const satisfies Record<OnTimeout, ApprovalOutcome>;
const APPROVAL_KINDS: ReadonlySet<string> = new Set(Object.values(ApprovalKind));
const MAX_MESSAGE = 10_000;

/** Publishes `approval.requested` / `approval.decided` after the change committed (triggers/events.ts). */
export type ApprovalEventSink = (runId: string, name: 'approval.requested' | 'approval.decided', data: Record<string, unknown>, dedupeId: string) => void;

export class ApprovalsService {
  constructor(
    private readonly ctx: EngineContext,
    private readonly cancelRun: (workspaceId: string, runId: string) => Promise<unknown>,
    private readonly publish: ApprovalEventSink = () => undefined,
  ) {}

  /** The approval services of one run step (see ActionServices). */
  forStep(run: { id: string; workspace_id: string }, stepId: string): Pick<ActionServices, 'requestApproval' | 'getApproval' | 'cancelRun'> {
    return {
      requestApproval: (req) => this.request(run, stepId, req),
      getApproval: (id) => this.stateOf(run.workspace_id, id),
      cancelRun: async () => {
        await this.cancelRun(run.workspace_id, run.id);
      },
    };
  }

  async request(run: { id: string; workspace_id: string }, stepId: string, req: ApprovalRequest): Promise<{ id: string }> {
    checkRequest(req);
    const now = this.ctx.clock.now();
    const row: ApprovalRow = {
      id: this.ctx.ids(),
      workspace_id: run.workspace_id,
      run_id: run.id,
      step_id: stepId,
      key: req.key,
      kind: req.kind,
      message: req.message.slice(0, MAX_MESSAGE),
      details: req.details === undefined ? null : JSON.stringify(req.details),
      approvers: req.approvers && req.approvers.length > 0 ? JSON.stringify(req.approvers) : null,
      min_approvals: req.minApprovals ?? 1,
      state: ApprovalStatus.pending,
      outcome: null,
      value: null,
      decisions: '[]',
      expires_at: req.expiresAt,
      on_timeout: req.onTimeout ?? 'reject',
      created_at: now,
      decided_at: null,
    };
    const stored = await this.ctx.store.db.transaction().execute(async (tx) => {
      const existing = await insertApproval(tx, row);
      if (existing.id === row.id) {
        const data = { approval_id: row.id, kind: row.kind, key: row.key, message: row.message, expires_at: iso(row.expires_at) };
        await appendRunEvents(tx, run.id, [{ type: RunEventType.approval_requested, step_id: stepId, data, key: `approval.requested:${row.id}` }], now);
      }
      return existing;
    });
    if (stored.id === row.id) {
      const data = { approval_id: row.id, step_id: stepId, kind: row.kind, message: row.message, approvers: req.approvers ?? [], expires_at: iso(row.expires_at) };
      this.publish(run.id, 'approval.requested', data, `rota:approval:${row.id}:requested`);
    }
    return { id: stored.id };
  }

  /** For handlers: the approval's state, settled if it expired; null when absent or another workspace's. */
  async stateOf(workspaceId: string, id: string): Promise<ApprovalState | null> {
    const row = await this.ctx.store.db.transaction().execute(async (tx) => {
      const found = await getApprovalRow(tx, id, this.ctx.store.dialect);
      if (!found || found.workspace_id !== workspaceId) return null;
      return this.#settle(tx, found);
    });
    return row ? approvalState(row) : null;
  }

  async list(workspaceId: string, opts: { state?: ApprovalStatus; runId?: string; cursor?: string | null; limit?: number } = {}): Promise<Page<ApprovalView>> {
    const { db } = this.ctx.store;
    // Approvals whose run ended undecided, or whose expiry passed, are settled before listing,
    // so `?state=pending` is the true inbox.
    const stale = await pendingOfEndedRuns(db, workspaceId, TERMINAL_RUN_STATUSES);
    const due = await pendingExpired(db, workspaceId, this.ctx.clock.now());
    for (const id of [...stale, ...due]) {
      await db.transaction().execute(async (tx) => {
        const row = await getApprovalRow(tx, id, this.ctx.store.dialect);
        if (row) await this.#settle(tx, row);
      });
    }
    const limit = pageLimit(opts.limit);
    const { rows, total } = await listApprovalRows(db, workspaceId, { state: opts.state, runId: opts.runId, before: opts.cursor, limit: limit + 1 });
    const page = takePage(rows, limit, (r) => r.id);
    return { items: page.rows.map(approvalView), next_cursor: page.next_cursor, total };
  }

  async get(workspaceId: string, id: string): Promise<ApprovalView> {
    await this.stateOf(workspaceId, id);
    const row = await getApprovalListRow(this.ctx.store.db, id);
    // Another workspace's approval looks exactly like a missing one.
    if (!row || row.workspace_id !== workspaceId) throw new NotFoundError(`approval "${id}" not found`);
    return approvalView(row);
  }

  /**
   * Records a decision. The same decision by the same principal again answers with the approval
   * unchanged; a conflicting one (or any decision on a settled approval) is a ConflictError.
   */
  async decide(workspaceId: string, id: string, principal: Principal, input: ApprovalDecisionInput): Promise<ApprovalView> {
    const { db, dialect } = this.ctx.store;
    const now = this.ctx.clock.now();
    const outcome = await db.transaction().execute(async (tx) => {
      const found = await getApprovalRow(tx, id, dialect);
      if (!found || found.workspace_id !== workspaceId) throw new NotFoundError(`approval "${id}" not found`);
      const row = await this.#settle(tx, found);
      const decider: Decider = { id: principal.token_id, name: await tokenName(tx, principal.token_id), scopes: principal.scopes };
      if (!mayDecide(row, decider)) {
        throw new AuthError(ErrorCode.forbidden, `this token is not among the approvers of approval ${id}: ${(fromJson<string[]>(row.approvers) ?? []).join(', ')}`);
      }
      const decision = decideApproval(row, decider, input, now);
      if (decision.kind === 'conflict') throw new ConflictError(decision.message, { state: row.state, outcome: row.outcome });
      if (decision.kind === 'unchanged') return { row, wake: null as WakeResult | null, aborted: false, decided: false };
      const patch = { decisions: JSON.stringify(decision.decisions), state: decision.state, outcome: decision.outcome, value: decision.value, decided_at: decision.decidedAt };
      if (!(await updateApproval(tx, id, row.state, patch))) throw new ConflictError(`approval ${id} changed concurrently; read it again`);
      const next = { ...row, ...patch };
      const last = decision.decisions[decision.decisions.length - 1];
      const final = next.state !== ApprovalStatus.pending;
      const data = { approval_id: id, decision: last.decision, by: last.by_name ?? last.by, comment: last.comment, ...(final ? { state: next.state } : {}) };
      const type = final ? RunEventType.approval_resolved : RunEventType.approval_decision;
      await appendRunEvents(tx, row.run_id, [{ type, step_id: row.step_id, data, key: `${type}:${id}:${last.by}` }], now);
      const wake = final ? await wakeInTransaction(this.ctx, tx, row.run_id, row.step_id) : null;
      return { row: next, wake, aborted: next.state === ApprovalStatus.aborted, decided: final };
    });
    if (outcome.wake) afterWake(this.ctx, outcome.wake, outcome.row.run_id, outcome.row.step_id);
    const settled = outcome.row;
    if (outcome.decided) {
      const last = (fromJson<{ by: string; by_name?: string; comment?: string }[]>(settled.decisions) ?? []).at(-1);
      const data = { approval_id: id, step_id: settled.step_id, state: settled.state, outcome: settled.outcome, by: last?.by_name ?? last?.by ?? null, comment: last?.comment ?? null };
      this.publish(settled.run_id, 'approval.decided', data, `rota:approval:${id}:decided`);
    }
    if (outcome.aborted) {
      // Abort ends the run `canceled` through the one cancel path; if this node dies first, the
      // woken step sees `aborted` and cancels the run itself.
      await this.cancelRun(workspaceId, outcome.row.run_id)
        .catch((err) => this.ctx.logger.warn({ run_id: outcome.row.run_id, err: String(err) }, 'canceling an aborted run failed; its step will'));
    }
    return this.get(workspaceId, id);
  }

  /** A pending approval whose run ended, or whose expiry passed, becomes `expired`. */
  async #settle(tx: Transaction<DB>, row: ApprovalRow): Promise<ApprovalRow> {
    if (row.state !== ApprovalStatus.pending) return row;
    const now = this.ctx.clock.now();
    const run = await getRunRow(tx, row.run_id);
    const ended = !run || isTerminalRun(run.status);
    const due = row.expires_at !== null && row.expires_at <= now;
    if (!ended && !due) return row;
    const outcome = ended ? null : ON_TIMEOUT_OUTCOME[row.on_timeout];
    const patch = { state: ApprovalStatus.expired, outcome, decided_at: now };
    if (!(await updateApproval(tx, row.id, ApprovalStatus.pending, patch))) return (await getApprovalRow(tx, row.id)) ?? row;
    if (run && !ended) {
      const data = { approval_id: row.id, state: ApprovalStatus.expired, outcome, on_timeout: row.on_timeout };
      await appendRunEvents(tx, row.run_id, [{ type: RunEventType.approval_resolved, step_id: row.step_id, data, key: `approval.resolved:${row.id}:expired` }], now);
      // A timeout decides too (its on_timeout): published like a person's decision. The publish is
      // asynchronous and keyed by the approval, so it runs after this settle and never twice.
      const decided = { approval_id: row.id, step_id: row.step_id, state: ApprovalStatus.expired, outcome, by: null, comment: null, on_timeout: row.on_timeout };
      this.publish(row.run_id, 'approval.decided', decided, `rota:approval:${row.id}:decided`);
    }
    return { ...row, ...patch };
  }
}

function checkRequest(req: ApprovalRequest): void {
  const problems: { path: string; message: string }[] = [];
  if (typeof req.key !== 'string' || req.key.length === 0 || req.key.length > 200) problems.push({ path: 'key', message: 'must be 1-200 characters' });
  if (!APPROVAL_KINDS.has(req.kind)) problems.push({ path: 'kind', message: 'must be step, tool_call or budget' });
  if (typeof req.message !== 'string') problems.push({ path: 'message', message: 'must be a string' });
  if (req.minApprovals !== undefined && (!Number.isInteger(req.minApprovals) || req.minApprovals < 1)) problems.push({ path: 'minApprovals', message: 'must be an integer >= 1' });
  if (req.approvers !== undefined && (!Array.isArray(req.approvers) || req.approvers.some((a) => typeof a !== 'string' || a === ''))) {
    problems.push({ path: 'approvers', message: 'must be a list of non-empty strings' });
  }
  if (req.onTimeout !== undefined && !(req.onTimeout in ON_TIMEOUT_OUTCOME)) problems.push({ path: 'onTimeout', message: 'must be reject, approve or abort' });
  if (req.expiresAt !== null && !Number.isFinite(req.expiresAt)) problems.push({ path: 'expiresAt', message: 'must be epoch ms or null' });
  if (problems.length > 0) throw new ValidationError('invalid approval request', problems);
}

/** approvers: null/empty lets any approvals:write token decide; else a token id, name or scope must be listed. */
function mayDecide(row: ApprovalRow, who: Decider): boolean {
  const approvers = fromJson<string[]>(row.approvers);
  if (!approvers || approvers.length === 0) return true;
  return approvers.some((a) => a === who.id || (who.name !== null && a === who.name) || who.scopes.includes(a));
}

export function approvalState(row: ApprovalRow): ApprovalState {
  const decisions = fromJson<DecisionRecord[]>(row.decisions) ?? [];
  const deciding = decidedBy(row.state, decisions);
  const state: ApprovalState = {
    id: row.id,
    state: row.state as ApprovalState['state'],
    outcome: (row.outcome as ApprovalState['outcome']) ?? null,
    comment: deciding?.comment ?? null,
    decided_by: deciding ? (deciding.by_name ?? deciding.by) : null,
    decided_at: iso(row.decided_at),
    expires_at: iso(row.expires_at),
    details: fromJson(row.details),
  };
  if (row.value !== null) state.value = JSON.parse(row.value);
  return state;
}

export function approvalView(row: ApprovalListRow): ApprovalView {
  const decisions = fromJson<DecisionRecord[]>(row.decisions) ?? [];
  const deciding = decidedBy(row.state, decisions);
  return {
    id: row.id,
    run_id: row.run_id,
    step_id: row.step_id,
    automation: row.automation_name,
    run_status: row.run_status,
    key: row.key,
    kind: row.kind,
    message: row.message,
    details: fromJson(row.details),
    approvers: fromJson<string[]>(row.approvers),
    min_approvals: row.min_approvals,
    approvals: new Set(decisions.filter((d) => d.decision === 'approve').map((d) => d.by)).size,
    state: row.state,
    outcome: row.outcome,
    value: fromJson(row.value),
    decided_by: deciding ? (deciding.by_name ?? deciding.by) : null,
    comment: deciding?.comment ?? null,
    decisions,
    expires_at: iso(row.expires_at),
    on_timeout: row.on_timeout,
    created_at: iso(row.created_at)!,
    decided_at: iso(row.decided_at),
  };
}
