import { ApprovalKind, ApprovalOutcome, ApprovalStatus, WaitingFor } from '../states.js';
import { ErrorCode, NonRetriableError } from '../errors.js';
import type { ActionContext, ActionDefinition, ApprovalState, Suspension } from './types.js';
import { DURATION_PATTERN, parseDurationMs } from './parse-duration.js';

export interface ApprovalConfig {
  message: string;
  details?: unknown;
  approvers?: string[];
  min_approvals?: number;
  timeout?: string;
  on_timeout?: 'reject' | 'approve' | 'abort';
}

export interface ApprovalOutput {
  approved: true;
  /** the edited value of the approver, else the `details` that were approved */
  value: unknown;
  decided_by: string | null;
  comment: string | null;
  /** true when nobody decided and on_timeout: approve applied */
  timed_out: boolean;
}

interface ApprovalStepState {
  approval_id: string;
}

function services(ctx: ActionContext<ApprovalConfig>) {
  const { requestApproval, getApproval, cancelRun } = ctx.services;
  if (!requestApproval || !getApproval || !cancelRun) throw new NonRetriableError('approvals are not available on this node');
  return { requestApproval, getApproval, cancelRun };
}

async function handler(ctx: ActionContext<ApprovalConfig>): Promise<ApprovalOutput | Suspension> {
  const svc = services(ctx);
  let id = (ctx.state as ApprovalStepState | undefined)?.approval_id;
  if (id === undefined) {
    const { message, details, approvers, min_approvals, timeout, on_timeout } = ctx.config;
    // Idempotent by key: a re-executed step finds the approval (and expiry) it opened before.
    ({ id } = await svc.requestApproval({
      key: 'approval',
      kind: ApprovalKind.step,
      message,
      details,
      approvers,
      minApprovals: min_approvals,
      expiresAt: timeout === undefined ? null : ctx.now() + parseDurationMs(timeout, 'timeout'),
      onTimeout: on_timeout,
    }));
    ctx.log.info(`waiting for approval ${id}`);
  }
  const state = await svc.getApproval(id);
  if (!state) throw new NonRetriableError(`approval ${id} no longer exists`);
  return settle(ctx, state, svc.cancelRun);
}

async function settle(ctx: ActionContext<ApprovalConfig>, state: ApprovalState, cancelRun: () => Promise<void>): Promise<ApprovalOutput | Suspension> {
  const outcome = state.state === ApprovalStatus.expired ? state.outcome : state.state;
  const timedOut = state.state === ApprovalStatus.expired;
  switch (outcome) {
    case ApprovalStatus.pending:
      return ctx.suspend(WaitingFor.approval, state.expires_at ? Date.parse(state.expires_at) : null, { approval_id: state.id } satisfies ApprovalStepState);
    case ApprovalOutcome.approved:
      return {
        approved: true,
        value: 'value' in state ? state.value : (ctx.config.details ?? null),
        decided_by: state.decided_by ?? null,
        comment: state.comment ?? null,
        timed_out: timedOut,
      };
    case ApprovalOutcome.rejected:
      throw new NonRetriableError(timedOut ? `approval ${state.id} timed out (on_timeout: reject)` : `approval ${state.id} was rejected`, {
        code: ErrorCode.approval_rejected,
        details: { approval_id: state.id, decided_by: state.decided_by ?? null, comment: state.comment ?? null, timed_out: timedOut },
      });
    case ApprovalOutcome.aborted:
      ctx.log.warn(`approval ${state.id} ${timedOut ? 'timed out (on_timeout: abort)' : 'was aborted'}; canceling the run`);
      await cancelRun();
      throw new NonRetriableError('run was canceled by an aborted approval', { code: ErrorCode.canceled });
    default:
      // expired because the run ended before a decision: nothing left to wait for
      throw new NonRetriableError(`approval ${state.id} expired without a decision`, { code: ErrorCode.approval_rejected, details: { approval_id: state.id } });
  }
}

/**
 * `approval`: pauses the run (durably, holding no worker slot) until people decide.
 *
 * @example
 * - id: confirm
 *   action: approval
 *   with:
 *     message: "Refund {{ inputs.amount }} EUR to {{ inputs.customer }}?"
 *     details: { amount: "{{ inputs.amount }}" }
 *     approvers: [finance-lead, admin]
 *     timeout: 24h
 *     on_timeout: reject
 * # {{ steps.confirm.output.value }} is the approved details, or the approver's edited value
 */
export const approvalAction: ActionDefinition<ApprovalConfig, ApprovalOutput> = {
  type: 'approval',
  description:
    'Waits, holding no worker slot, for a human decision on `message` (and `details`), answered through ' +
    'the API (POST /api/v1/approvals/{id}/decision), the CLI (rota approvals approve|reject|abort) or the UI. ' +
    'approve: outputs {approved: true, value, decided_by, comment, timed_out}, where value is the ' +
    "approver's edited JSON value, else `details`; reject: the step fails with approval_rejected; abort: " +
    'the run ends canceled. `approvers` (token ids, token names or scopes such as admin) limits who may ' +
    'decide; `min_approvals` distinct tokens must approve. After `timeout`, `on_timeout` (default reject) ' +
    'applies. The run timeout (execution.timeout) still bounds the whole wait.',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['message'],
    properties: {
      message: { type: 'string', minLength: 1, maxLength: 10_000 },
      details: {},
      approvers: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
      min_approvals: { type: 'integer', minimum: 1, maximum: 100, default: 1 },
      timeout: { type: 'string', pattern: DURATION_PATTERN },
      on_timeout: { enum: ['reject', 'approve', 'abort'], default: 'reject' },
    },
  },
  textFields: ['message', 'details'],
  outputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['approved', 'value', 'decided_by', 'comment', 'timed_out'],
    properties: {
      approved: { const: true },
      value: {},
      decided_by: { type: ['string', 'null'] },
      comment: { type: ['string', 'null'] },
      timed_out: { type: 'boolean' },
    },
  },
  handler,
};
