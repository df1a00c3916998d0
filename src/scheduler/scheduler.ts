/**
 * The scheduler loop of one node. It sleeps until the earliest due `next_fire_at` over all enabled
 * schedule triggers of active automations (one indexed query), wakes early when definitions change
 * (an in-process signal, and NOTIFY on PostgreSQL from other nodes), and fires due slots in
 * batches. Each batch is ONE transaction: select due triggers (SKIP LOCKED on PostgreSQL), record
 * their runs through the engine's firing path with the fire id as idempotency key, and advance
 * their cursors. A slot another node already recorded is an idempotent no-op, so any number of
 * nodes, restarts and races record each slot at most once.
 */
import type { EngineContext } from '../engine/context.js';
import type { FireService } from '../engine/fire.js';
import type { ScheduleTriggerDef } from '../definition/types.js';
import { advanceCursor, earliestScheduleDue, selectDueSchedules, type DueSchedule } from '../store/schedules.js';
import { RunStatus, SkipReason } from '../engine/status.js';
import { sql, type Transaction } from 'kysely';
import { WAKE_CHANNEL } from '../engine/worker.js';
import type { DB } from '../store/schema.js';
import { catchUpPolicy, cursorSlot, decide, storeCursor, type Decision } from './cursor.js';
import { fireId } from './fire-id.js';
import { slotSource } from './slots.js';

export const SCHEDULES_CHANNEL = 'rota_schedules';

export interface FiredSlot {
  automationId: string;
  triggerId: string;
  slot: number;
  runId: string;
  status: string;
  /** false when another node (or an earlier attempt) had recorded this slot already */
  created: boolean;
  /** when the transaction that recorded the run committed */
  recordedAt: number;
}

export interface SchedulerOptions {
  /** triggers per transaction (default 50: smaller batches commit their first fires sooner) */
  batchSize?: number;
  /** PostgreSQL: batches fired in parallel transactions (default 4) */
  lanes?: number;
  /** longest sleep without looking at the database (default 60 s): a fallback for missed NOTIFYs */
  maxSleepMs?: number;
  /** called after each committed batch, for lateness metrics and benchmarks */
  onFired?: (fired: FiredSlot[]) => void;
}

/** A due trigger that another node holds (SKIP LOCKED) is looked at again after this pause. */
const BUSY_RETRY_MS = 25;
/** A trigger whose fire failed on its own is left alone this long (logged), not retried in a loop. */
const QUARANTINE_MS = 10_000;

export class Scheduler {
  readonly #ctx: EngineContext;
  readonly #fires: FireService;
  readonly #batchSize: number;
  readonly #lanes: number;
  readonly #maxSleepMs: number;
  readonly #onFired: ((fired: FiredSlot[]) => void) | undefined;
  readonly #quarantine = new Map<string, number>();
  #running = false;
  #busy = false;
  #again = false;
  #isolate = false;
  #timer: NodeJS.Timeout | null = null;
  #loopDone: Promise<void> = Promise.resolve();
  #unsubscribe: Array<() => void | Promise<void>> = [];

  constructor(ctx: EngineContext, fires: FireService, options: SchedulerOptions = {}) {
    this.#ctx = ctx;
    this.#fires = fires;
    this.#batchSize = options.batchSize ?? 50;
    this.#lanes = options.lanes ?? 4;
    this.#maxSleepMs = options.maxSleepMs ?? 60_000;
    this.#onFired = options.onFired;
  }

  get running(): boolean {
    return this.#running;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe.push(this.#ctx.notifier.onSchedulesChanged(() => this.wake()));
    this.#unsubscribe.push(await this.#ctx.store.listen(SCHEDULES_CHANNEL, () => this.wake()));
    this.wake();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const off of this.#unsubscribe) await off();
    this.#unsubscribe = [];
    await this.#loopDone;
  }

  /** Looks at the due triggers now (coalesced with a pass already under way). */
  wake(): void {
    if (!this.#running) return;
    if (this.#busy) {
      this.#again = true;
      return;
    }
    this.#busy = true;
    this.#loopDone = new Promise((resolve) => setImmediate(() => void this.#loop().finally(resolve)));
  }

  /**
   * Fires every slot due at the clock's `now`, batch after batch, and returns how many triggers
   * it advanced. Tests with an injected clock call this directly instead of starting the loop.
   */
  async runDue(): Promise<number> {
    // PostgreSQL: several batches in parallel transactions (SKIP LOCKED keeps them disjoint). One
    // lane recorded ~300 fires/s there, bound by round trips, not CPU; SQLite has one writer.
    const lanes = this.#ctx.store.dialect === 'postgres' && !this.#isolate ? this.#lanes : 1;
    let total = 0;
    for (;;) {
      const results = await Promise.all(Array.from({ length: lanes }, () => this.#batch()));
      total += results.reduce((n, r) => n + r.advanced, 0);
      if (results.every((r) => r.selected < r.limit)) return total;
    }
  }

  async #loop(): Promise<void> {
    let delay: number | null = null;
    try {
      do {
        this.#again = false;
        await this.runDue();
      } while (this.#again && this.#running);
      delay = await this.#nextDelay();
    } catch (err) {
      this.#ctx.logger.error({ err: String(err) }, 'scheduler pass failed; retrying');
      delay = 1_000;
    } finally {
      this.#busy = false;
    }
    if (!this.#running) return;
    if (this.#again) return this.wake();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.wake(), delay);
  }

  async #nextDelay(): Promise<number> {
    const next = await earliestScheduleDue(this.#ctx.store.db);
    if (next === null) return this.#maxSleepMs;
    const delay = next - this.#ctx.clock.now();
    // Still due after a full pass: another node holds it (SKIP LOCKED) or it is quarantined.
    return Math.min(this.#maxSleepMs, Math.max(delay <= 0 ? BUSY_RETRY_MS : delay, 0));
  }

  async #batch(): Promise<{ advanced: number; selected: number; limit: number }> {
    const { db, dialect } = this.#ctx.store;
    const limit = this.#isolate ? 1 : this.#batchSize;
    const now = this.#ctx.clock.now();
    for (const [key, until] of this.#quarantine) if (until <= now) this.#quarantine.delete(key);
    const fired: FiredSlot[] = [];
    const at: { row: DueSchedule | null } = { row: null };
    let selected = 0;
    try {
      await db.transaction().execute(async (tx) => {
        const rows = (await selectDueSchedules(tx, dialect, now, limit + this.#quarantine.size))
          .filter((r) => !this.#quarantine.has(quarantineKey(r)))
          .slice(0, limit);
        selected = rows.length;
        // Admission locks automation rows: taking them in one order keeps nodes from deadlocking.
        rows.sort((a, b) => (a.automation_id < b.automation_id ? -1 : a.automation_id > b.automation_id ? 1 : a.next_fire_at - b.next_fire_at));
        for (const row of rows) {
          at.row = row;
          await this.#fireTrigger(tx, row, now, fired);
        }
        at.row = null;
        if (dialect === 'postgres' && fired.some((f) => f.created && f.status === RunStatus.queued)) await sql`SELECT pg_notify(${WAKE_CHANNEL}, '')`.execute(tx);
      });
    } catch (err) {
      fired.length = 0;
      // The database itself failed (select or commit): the loop retries after a pause.
      if (at.row === null) throw err;
      const row = at.row;
      if (this.#isolate) {
        this.#quarantine.set(quarantineKey(row), now + QUARANTINE_MS);
        this.#ctx.logger.error({ automation_id: row.automation_id, trigger_id: row.trigger_id, err: String(err) }, 'schedule trigger failed to fire; retrying in 10s');
      } else {
        // One bad trigger must not hold back the others: retry them one per transaction.
        this.#isolate = true;
        this.#ctx.logger.warn({ err: String(err) }, 'scheduler batch failed; retrying its triggers one by one');
      }
      return { advanced: 0, selected: limit, limit };
    }
    if (selected < limit) this.#isolate = false;
    const recordedAt = this.#ctx.clock.now();
    for (const f of fired) f.recordedAt = recordedAt;
    if (fired.some((f) => f.created && f.status === RunStatus.queued)) this.#ctx.notifier.runsAvailable();
    if (fired.length > 0) this.#onFired?.(fired);
    return { advanced: selected, selected, limit };
  }

  async #fireTrigger(tx: Transaction<DB>, row: DueSchedule, now: number, fired: FiredSlot[]): Promise<void> {
    const def = JSON.parse(row.config) as ScheduleTriggerDef;
    const source = slotSource(def, row.automation_id, row.trigger_id);
    const policy = catchUpPolicy(def);
    const decision = decide(source, cursorSlot(row), now, policy);
    const base = { workspaceId: row.workspace_id, automationId: row.automation_id, triggerId: row.trigger_id, source: 'schedule', receivedAt: now };
    if (decision.misfire) {
      const m = decision.misfire;
      const id = fireId(row.automation_id, row.trigger_id, m.first);
      const details = { missed_slots: m.count, first_slot: iso(m.first), last_slot: iso(m.last), truncated: m.truncated, catch_up: policy.catchUp };
      await this.#fires.fireInTx(tx, {
        ...base,
        idempotencyKey: id,
        data: { slot: iso(m.first), fire_id: id, misfire: details },
        skip: { reason: SkipReason.misfire, message: misfireMessage(m.count, m.truncated, policy.graceMs), details },
      });
    }
    let last: { slot: number; id: string } | null = null;
    for (const f of decision.fires) {
      const id = fireId(row.automation_id, row.trigger_id, f.slot);
      const data = { slot: iso(f.slot), fire_id: id, catch_up: f.catchUp, ...(f.coalesced !== undefined ? { coalesced: f.coalesced } : {}) };
      const result = await this.#fires.fireInTx(tx, { ...base, idempotencyKey: id, data });
      last = { slot: f.slot, id };
      if (result.kind === 'run') {
        fired.push({ automationId: row.automation_id, triggerId: row.trigger_id, slot: f.slot, runId: result.runId, status: result.status, created: result.created, recordedAt: 0 });
      }
    }
    const ok = await advanceCursor(tx, row.automation_id, row.trigger_id, row.next_fire_at, cursorPatch(def, source, decision, last, row, now));
    if (!ok) throw new Error(`schedule cursor of ${row.automation_id}/${row.trigger_id} moved during the fire`);
  }
}

function cursorPatch(def: ScheduleTriggerDef, source: ReturnType<typeof slotSource>, decision: Decision, last: { slot: number; id: string } | null, row: DueSchedule, now: number) {
  const next = storeCursor(source, decision.next);
  return {
    ...next,
    updated_at: now,
    ...(last ? { last_fire_at: last.slot, last_fire_id: last.id } : {}),
    ...(decision.late > 0 ? { misfire_count: row.misfire_count + decision.late, last_misfire_at: now } : {}),
    // A one-shot `at` retires once its slot is handled: kept, disabled, history intact.
    ...(decision.next === null && def.at !== undefined ? { enabled: 0 } : {}),
  };
}

function misfireMessage(count: number, truncated: boolean, graceMs: number): string {
  const n = truncated ? `more than ${count}` : String(count);
  return `${n} scheduled slot${count === 1 && !truncated ? ' was' : 's were'} missed by more than the misfire grace of ${graceMs / 1000}s`;
}

function quarantineKey(row: { automation_id: string; trigger_id: string }): string {
  return `${row.automation_id}\u0000${row.trigger_id}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
