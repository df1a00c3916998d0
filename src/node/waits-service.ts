/**
 * Steps woken from outside their run by something other than a human:
 *
 * - event waits (`wait_for_event`): a step registers (name pattern, filter, expiry); every event
 *   published in the workspace is matched against the active waits in the transaction that
 *   stores it, and a match is recorded on the wait and wakes the step in that same transaction;
 * - delegations (`delegate`): a step hands its task to an external runtime with a one-time
 *   callback token (random, stored as a SHA-256 hash, bound to that run step); the runtime's
 *   callback completes the delegation once and wakes the step.
 */
import { DelegationStatus, EventWaitStatus, RunEventType } from '../states.js';
import { timingSafeEqual } from 'node:crypto';
import type { Transaction } from 'kysely';
import type { DB } from '../store/schema.js';
import type { ActionServices, DelegationState, EventWaitState } from '../actions/types.js';
import { EVENT_FILTER_ROOTS } from '../actions/wait-for-event.js';
import { evaluateFilter, validateFilter } from '../definition/filter.js';
import { eventNameMatches } from '../definition/event-pattern.js';
import type { Filter } from '../definition/types.js';
import { AuthError, ConflictError, ErrorCode, ValidationError } from '../errors.js';
import { randomToken } from '../ids.js';
import { fromJson } from '../store/json.js';
import type { EventRow } from '../store/events.js';
import { appendRunEvents, stepInput } from '../store/runs.js';
import { redactSecrets } from '../engine/step-secrets.js';
import {
  activeEventWaits,
  completeDelegation,
  getDelegation,
  getDelegationForStep,
  getEventWait,
  insertEventWait,
  markEventWaitMatched,
  upsertDelegation,
  type DelegationRow,
  type EventWaitRow,
} from '../store/waits.js';
import type { EngineContext } from '../engine/context.js';
import { iso } from '../time.js';
import { afterWake, wakeInTransaction, type WakeResult } from '../engine/wake.js';
import { sha256Hex } from '../hash.js';

type RunRef = { id: string; workspace_id: string };


/** The body of a delegation callback. */
export type CallbackBody = { output: unknown } | { error: { message: string; code?: string; details?: unknown } };

export class WaitsService {
  constructor(private readonly ctx: EngineContext) {}

  forStep(run: RunRef, stepId: string): Pick<ActionServices, 'waitForEvent' | 'getEventWait' | 'openDelegation' | 'getDelegation'> {
    return {
      waitForEvent: (req) => this.#registerWait(run, stepId, req),
      getEventWait: async () => {
        const row = await getEventWait(this.ctx.store.db, run.id, stepId);
        return row ? waitState(row) : null;
      },
      openDelegation: (req) => this.#openDelegation(run, stepId, req),
      getDelegation: async () => {
        const row = await getDelegationForStep(this.ctx.store.db, run.id, stepId);
        return row ? delegationState(row) : null;
      },
    };
  }

  async #registerWait(run: RunRef, stepId: string, req: { name: string; filter?: Record<string, unknown>; expiresAt: number | null }): Promise<EventWaitState> {
    if (req.filter !== undefined) {
      const problems = validateFilter(req.filter, 'filter', EVENT_FILTER_ROOTS);
      if (problems.length > 0) throw new ValidationError('invalid event filter', problems);
    }
    const now = this.ctx.clock.now();
    const row: EventWaitRow = {
      run_id: run.id,
      step_id: stepId,
      workspace_id: run.workspace_id,
      name: req.name,
      filter: req.filter === undefined ? null : JSON.stringify(req.filter),
      state: EventWaitStatus.waiting,
      event_id: null,
      event: null,
      expires_at: req.expiresAt,
      created_at: now,
      matched_at: null,
    };
    return waitState(await insertEventWait(this.ctx.store.db, row));
  }

  /**
   * Matches a just-stored event against the workspace's active waits, in the transaction that
   * stored it. Returns the wake-ups to finish once it committed (see {@link afterWake}).
   */
  async matchEvent(tx: Transaction<DB>, event: EventRow): Promise<{ runId: string; stepId: string; wake: WakeResult }[]> {
    const now = this.ctx.clock.now();
    const waits = await activeEventWaits(tx, event.workspace_id, now);
    if (waits.length === 0) return [];
    const view = { id: event.id, name: event.name, data: fromJson(event.data), source: event.source, created_at: iso(event.created_at) };
    const woken: { runId: string; stepId: string; wake: WakeResult }[] = [];
    for (const wait of waits) {
      if (!eventNameMatches(wait.name, event.name)) continue;
      const filter = fromJson<Filter>(wait.filter);
      if (filter !== null && !evaluateFilter(filter, view)) continue;
      if (!(await markEventWaitMatched(tx, wait, { id: event.id, json: JSON.stringify(view) }, now))) continue;
      const data = { event_id: event.id, name: event.name };
      await appendRunEvents(tx, wait.run_id, [{ type: RunEventType.event_matched, step_id: wait.step_id, data, key: `event.matched:${wait.step_id}` }], now);
      woken.push({ runId: wait.run_id, stepId: wait.step_id, wake: await wakeInTransaction(this.ctx, tx, wait.run_id, wait.step_id) });
    }
    return woken;
  }

  /** The facade's `eventStored` hook: match in the storing transaction, wake after its commit. */
  async onEventStored(tx: Transaction<DB>, event: EventRow): Promise<() => void> {
    const woken = await this.matchEvent(tx, event);
    return () => {
      for (const w of woken) afterWake(this.ctx, w.wake, w.runId, w.stepId);
    };
  }

  async #openDelegation(run: RunRef, stepId: string, req: { url: string; expiresAt: number | null }): Promise<{ id: string; callbackUrl: string; callbackToken: string }> {
    const token = `rcb_${randomToken(32)}`;
    const row: DelegationRow = {
      id: this.ctx.ids(),
      workspace_id: run.workspace_id,
      run_id: run.id,
      step_id: stepId,
      url: req.url,
      token_hash: sha256Hex(token),
      state: DelegationStatus.pending,
      output: null,
      error: null,
      expires_at: req.expiresAt,
      created_at: this.ctx.clock.now(),
      completed_at: null,
    };
    const stored = await upsertDelegation(this.ctx.store.db, row);
    if (stored.state !== DelegationStatus.pending) throw new ConflictError(`the delegation of step ${stepId} already ${stored.state}`);
    return { id: stored.id, callbackUrl: `${this.#publicUrl()}/api/v1/callbacks/${stored.id}`, callbackToken: token };
  }

  #publicUrl(): string {
    const { publicUrl, host, port } = this.ctx.config;
    if (publicUrl) return publicUrl.replace(/\/+$/, '');
    const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    return `http://${h}:${port}`;
  }

  /**
   * A runtime's callback. The token must be the delegation's current one (401 otherwise, also for
   * an unknown id: no oracle), and works once: a second use, or one after the step's timeout,
   * is a ConflictError and changes nothing.
   */
  async deliverCallback(id: string, token: string, body: CallbackBody): Promise<{ delegation_id: string; state: DelegationStatus }> {
    const { db } = this.ctx.store;
    const now = this.ctx.clock.now();
    // Read once, before the transaction (SQLite has one connection, and the secrets are read
    // outside it); the completion below is fenced on the state and the token this read saw.
    const row = await getDelegation(db, id);
    if (!row || !tokenMatches(row.token_hash, token)) throw new AuthError(ErrorCode.unauthenticated, 'unknown delegation or wrong callback token');
    if (row.state !== DelegationStatus.pending) throw new ConflictError(`delegation ${id} already ${row.state}; a callback token works once`);
    if (row.expires_at !== null && row.expires_at <= now) throw new ConflictError(`delegation ${id} timed out; the step no longer waits for it`);
    // what the step sent may come back
    const secrets = await this.#secretsOfStep(row);
    const sent = secrets.length > 0 ? redactSecrets(body, secrets) : body;
    const result = await db.transaction().execute(async (tx) => {
      const patch = 'output' in sent
        ? { state: DelegationStatus.succeeded, output: JSON.stringify(sent.output ?? null), completed_at: now }
        : { state: DelegationStatus.failed, error: JSON.stringify(sent.error), completed_at: now };
      if (!(await completeDelegation(tx, id, patch, row.token_hash))) {
        throw new ConflictError(`delegation ${id} changed meanwhile (completed by another callback, or the step posted the task again with a new token); this callback changed nothing`);
      }
      const data = { delegation_id: id, state: patch.state };
      await appendRunEvents(tx, row.run_id, [{ type: RunEventType.delegation_callback, step_id: row.step_id, data, key: `delegation.callback:${id}` }], now);
      return { row, state: patch.state, wake: await wakeInTransaction(this.ctx, tx, row.run_id, row.step_id) };
    });
    afterWake(this.ctx, result.wake, result.row.run_id, result.row.step_id);
    return { delegation_id: id, state: result.state };
  }

  /**
   * The values of the workspace secrets the delegating step sent (its stored input keeps the
   * `{{ secrets.NAME }}` placeholders): a runtime that echoes one back must not get it stored.
   */
  async #secretsOfStep(row: DelegationRow): Promise<string[]> {
    const { db } = this.ctx.store;
    const input = (await stepInput(db, row.workspace_id, row.run_id, row.step_id))?.input ?? null;
    const names = [...new Set([...(input ?? '').matchAll(SECRET_PLACEHOLDER)].map((m) => m[1]!))];
    if (names.length === 0) return [];
    return [...(await this.ctx.hooks.secrets(row.workspace_id, names)).values()];
  }
}

const SECRET_PLACEHOLDER = /\{\{\s*secrets\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

function tokenMatches(storedHash: string, token: string): boolean {
  const a = Buffer.from(storedHash, 'hex');
  const b = Buffer.from(sha256Hex(token), 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

function waitState(row: EventWaitRow): EventWaitState {
  const state: EventWaitState = { state: row.state as EventWaitState['state'], expiresAt: row.expires_at === null ? null : Number(row.expires_at) };
  if (row.event !== null) state.event = JSON.parse(row.event);
  return state;
}

function delegationState(row: DelegationRow): DelegationState {
  const state: DelegationState = { id: row.id, state: row.state as DelegationState['state'], expiresAt: row.expires_at === null ? null : Number(row.expires_at) };
  if (row.output !== null) state.output = JSON.parse(row.output);
  if (row.error !== null) state.error = JSON.parse(row.error);
  return state;
}

