/**
 * Publishing events and matching them against event triggers (SPEC §4). An event is stored first
 * (deduplicated by its `id`), then every matching trigger fires through the engine's `fire` with
 * the key `event:<event row id>:<trigger id>`, so a re-published or re-dispatched event never makes
 * a second run. An event whose dispatch did not complete (node stopped, a fire failed) keeps
 * `dispatched_at` null and is dispatched again by a periodic sweep on any node.
 *
 * Rota's own events (`run.succeeded`, `run.failed`, `run.canceled`, `run.timed_out`,
 * `automation.paused`, `approval.requested`, `approval.decided`) are published after the change committed, and only when some event trigger
 * listens for the name, so a busy workspace does not write a second row per run. A run's own
 * automation never matches that run's `run.*` event, and a `run.*` event is not published for a
 * run at `limits.maxDepth` (the depth counts child runs and `run.*` links alike, see the runs'
 * `depth` column), so automations cannot trigger themselves in a loop.
 */
import { RunStatus } from '../states.js';
import type { Transaction } from 'kysely';
import type { DB } from '../store/schema.js';
import type { EngineContext } from '../engine/context.js';
import type { FireRequest, FireResult } from '../engine/fire.js';
import { insertEvent, type EventRow } from '../store/events.js';
import { parseTraceparent } from '../engine/trace-context.js';
import { bumpTriggerGeneration, listUndispatched, markDispatched } from '../store/event-triggers.js';
import type { RunRow } from '../store/runs.js';
import { fromJson } from '../store/json.js';
import { toErrorShape } from '../errors.js';
import type { EventTriggerIndex, IndexedTrigger } from './event-index.js';
import type { TimerHandle } from '../clock.js';
import { assertJsonDepth } from '../definition/json-depth.js';

const SWEEP_MS = 15_000;
/** an undispatched event this old is assumed abandoned by the node that stored it */
const SWEEP_AGE_MS = 30_000;
/** Rota's own events trust an index checked this recently (they are published on every run end) */
const SYSTEM_STALENESS_MS = 1_000;

export const RUN_EVENT_STATUSES = [RunStatus.succeeded, RunStatus.failed, RunStatus.canceled, RunStatus.timed_out] as const;

/** A run an event trigger fired for a published event (`created` false: it was fired before). */
export interface FiredRun {
  automation: string;
  trigger_id: string;
  run_id: string;
  status: RunStatus;
  created: boolean;
}

/**
 * Called in the transaction that stores a new (not duplicate) event: matches the workspace's
 * waiting `wait_for_event` steps. Returns what to do once that transaction committed.
 */
export type EventStoredHook = (tx: Transaction<DB>, event: EventRow) => Promise<() => void>;

export class EventService {
  #sweeper: TimerHandle | null = null;

  constructor(
    private readonly ctx: EngineContext,
    private readonly index: EventTriggerIndex,
    private readonly fire: (request: FireRequest) => Promise<FireResult>,
    private readonly eventStored: EventStoredHook,
  ) {}

  /**
   * Publishes an event into a workspace: stored (deduplicated by `dedupeId`), matched against
   * waiting steps in the same transaction, then fired into every matching event trigger.
   */
  async publish(workspaceId: string, event: { name: string; data?: unknown; dedupeId?: string | null; traceparent?: string | null }, source: string): Promise<{ row: EventRow; duplicate: boolean; runs: FiredRun[] | null }> {
    // here, not only at the API: emit_event steps and library callers publish too
    assertJsonDepth(event.data, 'the event data', '$.data');
    const matches = await this.index.match(workspaceId, event.name);
    // pending until every matching trigger fired; with none there is nothing for the sweep to redo
    const { row, duplicate } = await this.#store(workspaceId, event.name, event.data, event.dedupeId ?? null, source, matches.length > 0, event.traceparent);
    return { row, duplicate, runs: matches.length > 0 ? await this.dispatch(row, matches) : null };
  }

  /** Event triggers that `name` would fire, for the publisher to store the event as pending or not. */
  match(workspaceId: string, name: string): Promise<IndexedTrigger[]> {
    return this.index.match(workspaceId, name);
  }

  /** A definition changed on this node: bump the workspace generation (other nodes) and drop the local index. */
  async triggersChanged(workspaceId: string): Promise<void> {
    await bumpTriggerGeneration(this.ctx.store.db, workspaceId);
    this.index.invalidate(workspaceId);
  }

  /** Called by the engine after a run's terminal state committed; never throws, never blocks it. */
  runEnded(run: RunRow): void {
    if (!(RUN_EVENT_STATUSES as readonly string[]).includes(run.status)) return;
    const depth = run.depth + 1;
    const max = this.ctx.config.limits.maxDepth;
    if (depth > max) {
      this.ctx.logger.warn({ run: run.id, automation: run.automation_name, depth }, `run.* event of a run at depth ${run.depth} not published: limits.max_depth is ${max}`);
      return;
    }
    const data = {
      run_id: run.id,
      automation: run.automation_name,
      automation_id: run.automation_id,
      version: run.version,
      status: run.status,
      trigger_id: run.trigger_id,
      output: fromJson(run.output),
      error: fromJson(run.error),
      depth,
    };
    this.#publishSystem(run.workspace_id, `run.${run.status}`, data, `rota:run:${run.id}:${run.status}`, run.automation_id);
  }

  automationPaused(workspaceId: string, automation: { id: string; name: string }, reason: string, at: number, details: Record<string, unknown> = {}): void {
    const data = { automation: automation.name, automation_id: automation.id, reason, ...details };
    this.#publishSystem(workspaceId, 'automation.paused', data, `rota:automation:${automation.id}:paused:${at}`, automation.id);
  }

  /**
   * `approval.requested` and `approval.decided`, so that an automation can tell people (a chat
   * webhook, a mail). Like `run.*` events: never matched by the run's own automation, and counted
   * in the chain depth.
   */
  approvalEvent(run: RunRow, name: 'approval.requested' | 'approval.decided', data: Record<string, unknown>, dedupeId: string): void {
    const depth = run.depth + 1;
    const max = this.ctx.config.limits.maxDepth;
    if (depth > max) {
      this.ctx.logger.warn({ run: run.id, automation: run.automation_name, depth }, `${name} of a run at depth ${run.depth} not published: limits.max_depth is ${max}`);
      return;
    }
    const full = { ...data, run_id: run.id, automation: run.automation_name, automation_id: run.automation_id, depth };
    this.#publishSystem(run.workspace_id, name, full, dedupeId, run.automation_id);
  }

  #publishSystem(workspaceId: string, name: string, data: unknown, dedupeId: string, ownAutomation: string): void {
    const publish = async () => {
      const matches = (await this.index.match(workspaceId, name, SYSTEM_STALENESS_MS)).filter((m) => m.automationId !== ownAutomation);
      if (matches.length === 0) return;
      const { row } = await this.#store(workspaceId, name, data, dedupeId, 'rota', true);
      await this.dispatch(row, matches);
    };
    publish().catch((err: unknown) => this.ctx.logger.warn({ err: toErrorShape(err), event: name }, 'could not publish a Rota event'));
  }

  async #store(workspaceId: string, name: string, data: unknown, dedupeId: string | null, source: string, pending: boolean, traceparent?: string | null) {
    const now = this.ctx.clock.now();
    const row = {
      id: this.ctx.ids(),
      workspace_id: workspaceId,
      name,
      data: data === undefined ? null : JSON.stringify(data),
      source,
      dedupe_id: dedupeId,
      created_at: now,
      dispatched_at: pending ? null : now,
      // only a valid one is kept (an invalid traceparent is ignored, as the W3C specification says)
      ...(parseTraceparent(traceparent) ? { traceparent } : {}),
    };
    // waiting `wait_for_event` steps are matched in the transaction that stores the event
    const { stored, after } = await this.ctx.store.db.transaction().execute(async (tx) => {
      const inserted = await insertEvent(tx, row);
      return { stored: inserted, after: inserted.duplicate ? () => undefined : await this.eventStored(tx, inserted.row) };
    });
    after();
    return stored;
  }

  /** Fires every matching trigger of a stored event; marks it dispatched once all of them were recorded. */
  async dispatch(row: EventRow, matches: IndexedTrigger[]): Promise<FiredRun[]> {
    const data = fromJson(row.data);
    const settled = await Promise.allSettled(
      matches.map(async (m) => {
        const result = await this.fire({
          workspaceId: row.workspace_id,
          automationId: m.automationId,
          triggerId: m.trigger.id,
          source: `event:${row.id}`,
          data,
          idempotencyKey: `event:${row.id}:${m.trigger.id}`,
          receivedAt: Number(row.created_at),
          traceparent: row.traceparent ?? null,
        });
        return { m, result };
      }),
    );
    const runs: FiredRun[] = [];
    let failed = false;
    for (const outcome of settled) {
      if (outcome.status === 'rejected') {
        failed = true;
        this.ctx.logger.warn({ err: toErrorShape(outcome.reason), event: row.id }, 'an event trigger could not fire; the event will be dispatched again');
        continue;
      }
      const { m, result } = outcome.value;
      if (result.kind === 'run') runs.push({ automation: m.automationName, trigger_id: m.trigger.id, run_id: result.runId, status: result.status, created: result.created });
    }
    if (!failed && (row.dispatched_at === null || row.dispatched_at === undefined)) await markDispatched(this.ctx.store.db, row.id, this.ctx.clock.now());
    return runs;
  }

  /** Re-dispatches events left undispatched (a node stopped between storing and firing). */
  async sweep(): Promise<number> {
    const rows = await listUndispatched(this.ctx.store.db, this.ctx.clock.now() - SWEEP_AGE_MS, 100);
    for (const row of rows) {
      const own = row.source === 'rota' ? (fromJson<{ automation_id?: string }>(row.data)?.automation_id ?? null) : null;
      const matches = (await this.index.match(row.workspace_id, row.name)).filter((m) => m.automationId !== own);
      if (matches.length === 0) await markDispatched(this.ctx.store.db, row.id, this.ctx.clock.now());
      else await this.dispatch(row, matches);
    }
    return rows.length;
  }

  start(): void {
    const tick = () => {
      this.sweep()
        .catch((err: unknown) => this.ctx.logger.warn({ err: toErrorShape(err) }, 'event dispatch sweep failed'))
        .finally(() => {
          if (this.#sweeper) this.#sweeper = this.ctx.clock.setTimer(SWEEP_MS, tick, { unref: true });
        });
    };
    this.#sweeper = this.ctx.clock.setTimer(SWEEP_MS, tick, { unref: true });
  }

  stop(): void {
    this.ctx.clock.clearTimer(this.#sweeper);
    this.#sweeper = null;
  }
}
