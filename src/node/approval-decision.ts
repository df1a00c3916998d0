/**
 * The pure core of approval decisions: given an approval, who decides and what, compute what
 * changes. The service applies the result in one store call.
 */
import { ApprovalOutcome, ApprovalStatus } from '../states.js';
import type { ApprovalRow } from '../store/approvals.js';

export const ApprovalDecision = { approve: 'approve', reject: 'reject', abort: 'abort' } as const;
export type ApprovalDecision = (typeof ApprovalDecision)[keyof typeof ApprovalDecision];

export interface ApprovalDecisionInput {
  decision: ApprovalDecision;
  /** approve only: an edited value (approval output) or edited tool arguments */
  value?: unknown;
  comment?: string | null;
}

/** One decision as kept on the approval: who (token id and name), what, when, why. */
export interface DecisionRecord {
  by: string;
  by_name: string | null;
  decision: ApprovalDecision;
  comment: string | null;
  value?: unknown;
  at: string;
}

export interface Decider {
  id: string;
  name: string | null;
  scopes: string[];
}

export type DecisionOutcome =
  | { kind: 'unchanged' }
  | { kind: 'conflict'; message: string }
  | {
      kind: 'record';
      decisions: DecisionRecord[];
      state: Exclude<ApprovalStatus, typeof ApprovalStatus.expired>;
      outcome: ApprovalOutcome | null;
      /** JSON text of the value in force, or null */
      value: string | null;
      decidedAt: number | null;
    };

/**
 * - A principal's repeated decision is idempotent (`unchanged`), a different one is a conflict.
 * - On a settled approval (decided or expired) every other decision is a conflict.
 * - `reject` and `abort` settle at once; `approve` settles when `min_approvals` distinct tokens
 *   approved. The value in force is the newest edited value among the approvals.
 */
export function decideApproval(row: ApprovalRow, who: Decider, input: ApprovalDecisionInput, now: number): DecisionOutcome {
  const decisions = JSON.parse(row.decisions) as DecisionRecord[];
  const mine = decisions.find((d) => d.by === who.id);
  if (mine) {
    if (mine.decision === input.decision) return { kind: 'unchanged' };
    return { kind: 'conflict', message: `this token already decided "${mine.decision}" on approval ${row.id}; a different decision is a conflict` };
  }
  if (row.state !== ApprovalStatus.pending) {
    const how = row.state === ApprovalStatus.expired ? `expired${row.outcome ? ` (on_timeout: ${row.outcome})` : ''}` : row.state;
    return { kind: 'conflict', message: `approval ${row.id} is already ${how}` };
  }
  const record: DecisionRecord = { by: who.id, by_name: who.name, decision: input.decision, comment: input.comment ?? null, at: new Date(now).toISOString() };
  if (input.decision === 'approve' && input.value !== undefined) record.value = input.value;
  const next = [...decisions, record];
  if (input.decision !== 'approve') {
    const state = input.decision === 'reject' ? ApprovalOutcome.rejected : ApprovalOutcome.aborted;
    return { kind: 'record', decisions: next, state, outcome: state, value: row.value, decidedAt: now };
  }
  const approvers = new Set(next.filter((d) => d.decision === 'approve').map((d) => d.by));
  const edited = [...next].reverse().find((d) => d.decision === 'approve' && 'value' in d);
  const value = edited ? JSON.stringify(edited.value ?? null) : null;
  if (approvers.size < row.min_approvals) return { kind: 'record', decisions: next, state: ApprovalStatus.pending, outcome: null, value, decidedAt: null };
  return { kind: 'record', decisions: next, state: ApprovalStatus.approved, outcome: ApprovalOutcome.approved, value, decidedAt: now };
}

/** The decision that settled the approval (the last one), if any. */
export function decidedBy(state: ApprovalStatus, decisions: DecisionRecord[]): DecisionRecord | undefined {
  if (state === ApprovalStatus.pending || state === ApprovalStatus.expired) return undefined;
  return decisions[decisions.length - 1];
}
