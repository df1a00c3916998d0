/**
 * The memo of one agent step: every model and tool call is recorded when it completes; a resumed
 * step (crash, lease takeover, retry, wake after an approval) walks the loop again and takes each
 * recorded result in order instead of calling again, continuing live from the first position
 * that has no successful record. Failed calls are recorded too (the cost ledger keeps them) but
 * do not occupy a position.
 */
import { AgentCallKind, type AgentCallStatus, type RunEventType } from '../states.js';
import type { Insertable } from 'kysely';
import { canonicalJson } from '../definition/parse.js';
import { ErrorCode, NonRetriableError, RetriableError } from '../errors.js';
import type { Store } from '../store/connect.js';
import { listAgentCalls, recordAgentCall, type AgentCallRow } from '../store/agent-calls.js';
import type { AgentCallTable } from '../store/schema.js';
import { sha256Hex } from '../hash.js';

export type CallKind = AgentCallKind;

export interface CallRecord {
  kind: CallKind;
  name: string;
  hash: string;
  request: unknown;
  response: unknown;
  status: AgentCallStatus;
  error?: unknown;
  tokens?: { input: number; output: number; cached: number };
  costUsd?: number;
  latencyMs: number;
  /** run event type for this record (null: none) */
  event: { type: RunEventType; data: unknown } | null;
}

export function requestHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

export class CallMemo {
  readonly #ok = new Map<number, AgentCallRow>();
  #position = 0;
  #nextSeq: number;
  #stepCost = 0;
  #stepTokens = 0;

  private constructor(
    private readonly store: Store,
    private readonly scope: { runId: string; stepId: string; workspaceId: string; automationId: string },
    private readonly now: () => number,
    rows: AgentCallRow[],
  ) {
    this.#nextSeq = rows.reduce((max, r) => Math.max(max, r.seq), -1) + 1;
    for (const row of rows) {
      if (row.status === 'ok' && !this.#ok.has(row.position)) this.#ok.set(row.position, row);
      if (row.kind === AgentCallKind.model) {
        this.#stepCost += Number(row.cost_usd);
        this.#stepTokens += Number(row.input_tokens) + Number(row.output_tokens);
      }
    }
  }

  static async load(store: Store, scope: CallMemo['scope'], now: () => number): Promise<CallMemo> {
    return new CallMemo(store, scope, now, await listAgentCalls(store.db, scope.runId, scope.stepId));
  }

  get position(): number {
    return this.#position;
  }

  /** What this step's model calls have cost so far (all attempts). */
  get stepSpent(): { costUsd: number; tokens: number } {
    return { costUsd: this.#stepCost, tokens: this.#stepTokens };
  }

  /** The recorded kind at the current position, if any (a replay looks ahead for budget records). */
  peekKind(): CallKind | null {
    return this.#ok.get(this.#position)?.kind ?? null;
  }

  /**
   * The recorded response at the current position (advancing past it), or null when the loop is
   * live from here. A record of another kind or request means the step is not replaying what it
   * recorded (the definition or configuration changed under a running step): fail rather than
   * guess.
   */
  take(kind: CallKind, hash: string): unknown {
    const row = this.#ok.get(this.#position);
    if (!row) return null;
    if (row.kind !== kind || row.request_hash !== hash) {
      throw new NonRetriableError(`agent step cannot resume: call #${this.#position} was recorded as ${row.kind} "${row.name}" with another request`, {
        code: ErrorCode.agent_replay_mismatch,
        details: { position: this.#position, recorded: { kind: row.kind, name: row.name } },
      });
    }
    this.#position++;
    return row.response === null ? null : JSON.parse(row.response);
  }

  /** Persists a completed call (with its run event) before the loop uses its result. */
  async record(call: CallRecord): Promise<void> {
    const now = this.now();
    const seq = this.#nextSeq++;
    const row: Insertable<AgentCallTable> = {
      run_id: this.scope.runId,
      step_id: this.scope.stepId,
      seq,
      position: this.#position,
      kind: call.kind,
      name: call.name,
      request_hash: call.hash,
      request: call.request === undefined ? null : JSON.stringify(call.request),
      response: call.response === undefined ? null : JSON.stringify(call.response),
      status: call.status,
      error: call.error === undefined ? null : JSON.stringify(call.error),
      input_tokens: call.tokens?.input ?? 0,
      output_tokens: call.tokens?.output ?? 0,
      cached_tokens: call.tokens?.cached ?? 0,
      cost_usd: call.costUsd ?? 0,
      latency_ms: Math.round(call.latencyMs),
      workspace_id: this.scope.workspaceId,
      automation_id: this.scope.automationId,
      created_at: now,
    };
    const event = call.event
      ? { type: call.event.type, step_id: this.scope.stepId, data: { seq, position: this.#position, ...(call.event.data as object) }, key: `agent:${this.scope.stepId}:${seq}` }
      : null;
    const inserted = await this.store.db.transaction().execute((tx) => recordAgentCall(tx, row, event, now));
    if (!inserted) {
      throw new RetriableError('another executor recorded a call of this agent step first (lease lost)', { code: ErrorCode.lease_lost });
    }
    if (call.kind === AgentCallKind.model) {
      this.#stepCost += call.costUsd ?? 0;
      this.#stepTokens += (call.tokens?.input ?? 0) + (call.tokens?.output ?? 0);
    }
    if (call.status === 'ok') this.#position++;
  }
}
