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
import { needsAdmission, type FireRequest, type FireResult, type FireService } from '../engine/fire.js';
import type { ScheduleTriggerDef } from '../definition/types.js';
import { advanceCursors, earliestScheduleDue, lockActiveAutomations, selectDueSchedules, type CursorAdvance, type DueSchedule } from '../store/schedules.js';
import { RunStatus, SkipReason, TriggerKind } from '../states.js';
import type { Transaction } from 'kysely';
import { Channel } from '../store/channels.js';
import type { DB } from '../store/schema.js';
import { catchUpPolicy, cursorSlot, decide, storeCursor } from './cursor.js';
import { fireId } from './fire-id.js';
import { slotSource } from './slots.js';
import { iso } from '../time.js';
import { sleep, type Clock, type TimerHandle } from '../clock.js';
import type { Skip } from '../engine/run-creation.js';

/** A fire of the pass recorded as a `skipped` run (misfire, overlap, ...): reported after the commit. */
interface SkippedFire {
  runId: string;
  automation: string;
  skip: Skip;
}


export interface FiredSlot {
  automationId: string;
  /** the automation's name */
  automation: string;
  triggerId: string;
  slot: number;
  runId: string;
  status: RunStatus;
  /** false when another node (or an earlier attempt) had recorded this slot already */
  created: boolean;
  /** when the transaction that recorded the run committed */
  recordedAt: number;
}

export interface SchedulerOptions {
  /** triggers per transaction (default 50: smaller batches commit their first fires sooner) */
  batchSize?: number;
  /**
   * PostgreSQL: batches fired in parallel transactions (default 2: with 167 fires decided at one
   * slot on 2 cores, lateness p50/p99 was ~21/45 ms with 2 lanes, 25/65 with 1, 31/78 with 4)
   */
  lanes?: number;
  /** longest sleep without looking at the database (default 60 s): a fallback for missed NOTIFYs */
  maxSleepMs?: number;
  /** called after each committed batch, for lateness metrics and benchmarks */
  onFired?: (fired: FiredSlot[]) => void;
  /**
   * PostgreSQL: how long before a slot its fires that need no admission decision are written, in
   * a transaction committed at the slot (default 200 ms; 0 turns it off). See #stage.
   */
  stageAheadMs?: number;
}

/** Where the scheduler reports each batch's fires for trigger health (triggers/trigger-health.ts). */
export interface ScheduleHealth {
  /** in the batch's transaction, after its fires */
  recordBatch(tx: Transaction<DB>, rows: DueSchedule[], requests: FireRequest[], results: FireResult[]): Promise<void>;
  /** a trigger whose fire failed on its own; never throws */
  recordFailure(automationId: string, triggerId: string, err: unknown): Promise<void>;
}

/** Triggers written ahead in one staged transaction at most. */
const STAGE_LIMIT = 1_000;

/** A due trigger that another node holds (SKIP LOCKED) is looked at again after this pause. */
const BUSY_RETRY_MS = 25;
/** A trigger whose fire failed on its own is left alone this long (logged), not retried in a loop. */
const QUARANTINE_MS = 10_000;

export class Scheduler {
  readonly #ctx: EngineContext;
  readonly #fires: FireService;
  readonly #health: ScheduleHealth;
  readonly #batchSize: number;
  readonly #lanes: number;
  readonly #maxSleepMs: number;
  readonly #onFired: ((fired: FiredSlot[]) => void) | undefined;
  readonly #stageAheadMs: number;
  readonly #quarantine = new Map<string, number>();
  #running = false;
  #busy = false;
  #again = false;
  #isolate = false;
  #timer: TimerHandle | null = null;
  #loopDone: Promise<void> = Promise.resolve();
  #unsubscribe: Array<() => void | Promise<void>> = [];

  constructor(ctx: EngineContext, fires: FireService, health: ScheduleHealth, options: SchedulerOptions = {}) {
    this.#ctx = ctx;
    this.#fires = fires;
    this.#health = health;
    this.#batchSize = options.batchSize ?? 50;
    this.#lanes = options.lanes ?? 2;
    this.#maxSleepMs = options.maxSleepMs ?? 60_000;
    this.#onFired = options.onFired;
    this.#stageAheadMs = ctx.store.dialect === 'postgres' ? (options.stageAheadMs ?? 200) : 0;
  }

  get running(): boolean {
    return this.#running;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe.push(this.#ctx.notifier.onSchedulesChanged(() => this.wake()));
    this.#unsubscribe.push(await this.#ctx.store.listen(Channel.schedules, () => this.wake()));
    this.wake();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#ctx.clock.clearTimer(this.#timer);
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
      for (;;) {
        do {
          this.#again = false;
          await this.runDue();
        } while (this.#again && this.#running);
        const next = await earliestScheduleDue(this.#ctx.store.db);
        const now = this.#ctx.clock.now();
        if (next !== null && next > now && next - now <= this.#stageAheadMs && this.#running) {
          // Returns at the slot, whatever it staged: the loop then fires what is left as usual.
          await this.#stage(next);
          continue;
        }
        delay = this.#delay(next, now);
        break;
      }
    } catch (err) {
      this.#ctx.logger.error({ err: String(err) }, 'scheduler pass failed; retrying');
      delay = 1_000;
    } finally {
      this.#busy = false;
    }
    if (!this.#running) return;
    if (this.#again) return this.wake();
    this.#ctx.clock.clearTimer(this.#timer);
    this.#timer = this.#ctx.clock.setTimer(delay, () => this.wake());
  }

  #delay(next: number | null, now: number): number {
    if (next === null) return this.#maxSleepMs;
    // Still due after a full pass: another node holds it (SKIP LOCKED) or it is quarantined.
    if (next <= now) return BUSY_RETRY_MS;
    // Wake early enough to stage the slot's fires (PostgreSQL), else at the slot.
    const wake = next - now > this.#stageAheadMs ? next - now - this.#stageAheadMs : next - now;
    return Math.min(this.#maxSleepMs, wake);
  }

  /**
   * PostgreSQL: writes the fires of the slot due at `due` ahead of it, in one transaction that
   * commits at the slot, so a burst of simultaneous schedules is recorded within milliseconds of
   * its slot instead of one batch after another (on 2 cores, 167 simultaneous fires took ~40 ms).
   *
   * Nothing is visible before the commit: runs are claimable, listed and counted from the slot on,
   * and their `queued_at` is the slot. Only fires that need no decision against other runs are
   * staged (overlap `allow`, no fire limit): overlap and fire limits are decided at the slot, by
   * the usual pass right after this commit. The trigger rows are locked (other nodes skip them)
   * and the automations share-locked, so a pause or edit that commits meanwhile waits for the slot
   * and applies after it. A node that dies while staging loses its transaction; the slot is then
   * fired by another node or after a restart like any late slot. On SQLite, whose single writer
   * a staged transaction would hold for the whole lead time, nothing is staged.
   */
  async #stage(due: number): Promise<void> {
    const { db, dialect } = this.#ctx.store;
    let fired: FiredSlot[] = [];
    let skipped: SkippedFire[] = [];
    try {
      await db.transaction().execute(async (tx) => {
        // Only the triggers due exactly then: an earlier one held until `due` would be late.
        const rows = (await selectDueSchedules(tx, dialect, due, STAGE_LIMIT, due - 1)).filter((r) => !this.#quarantine.has(quarantineKey(r)));
        const plain: DueSchedule[] = [];
        for (const row of rows) {
          const def = JSON.parse(row.config) as ScheduleTriggerDef;
          const decision = decide(slotSource(def, row.automation_id, row.trigger_id), cursorSlot(row), due, catchUpPolicy(def));
          if (decision.misfire || decision.fires.length === 0) continue;
          const { definition } = await this.#ctx.plans.get(tx, row.automation_id, row.automation.latest_version);
          const trigger = definition.triggers?.find((t) => t.id === row.trigger_id);
          if (trigger && !needsAdmission(trigger, definition)) plain.push(row);
        }
        const active = await lockActiveAutomations(tx, dialect, [...new Set(plain.map((r) => r.automation_id))]);
        const staged = plain.filter((r) => active.has(r.automation_id));
        if (staged.length === 0) return;
        ({ fired, skipped } = await this.#fireAll(tx, staged, due));
        if (fired.some((f) => f.created && f.status === RunStatus.queued)) await this.#ctx.store.notify(tx, Channel.wake);
        await sleepUntil(this.#ctx.clock, due);
      });
    } catch (err) {
      fired = [];
      skipped = [];
      this.#ctx.logger.warn({ err: String(err) }, 'staging scheduled fires failed; they fire at their slot as usual');
    }
    this.#committed(fired, skipped);
    await sleepUntil(this.#ctx.clock, due);
  }

  async #batch(): Promise<{ advanced: number; selected: number; limit: number }> {
    const { db, dialect } = this.#ctx.store;
    const limit = this.#isolate ? 1 : this.#batchSize;
    const now = this.#ctx.clock.now();
    for (const [key, until] of this.#quarantine) if (until <= now) this.#quarantine.delete(key);
    let fired: FiredSlot[] = [];
    let skipped: SkippedFire[] = [];
    let firing: DueSchedule | null = null;
    let selected = 0;
    try {
      await db.transaction().execute(async (tx) => {
        const rows = (await selectDueSchedules(tx, dialect, now, limit + this.#quarantine.size))
          .filter((r) => !this.#quarantine.has(quarantineKey(r)))
          .slice(0, limit);
        selected = rows.length;
        if (rows.length === 0) return;
        firing = rows[0]!;
        ({ fired, skipped } = await this.#fireAll(tx, rows, now));
        firing = null;
        if (fired.some((f) => f.created && f.status === RunStatus.queued)) await this.#ctx.store.notify(tx, Channel.wake);
      });
    } catch (err) {
      // The database itself failed (select or commit): the loop retries after a pause.
      if (firing === null) throw err;
      const row: DueSchedule = firing;
      if (this.#isolate) {
        this.#quarantine.set(quarantineKey(row), now + QUARANTINE_MS);
        await this.#health.recordFailure(row.automation_id, row.trigger_id, err);
        this.#ctx.logger.error({ automation_id: row.automation_id, trigger_id: row.trigger_id, err: String(err) }, 'schedule trigger failed to fire; retrying in 10s');
      } else {
        // One bad trigger must not hold back the others: retry them one per transaction.
        this.#isolate = true;
        this.#ctx.logger.warn({ err: String(err) }, 'scheduler batch failed; retrying its triggers one by one');
      }
      return { advanced: 0, selected: limit, limit };
    }
    if (selected < limit) this.#isolate = false;
    this.#committed(fired, skipped);
    return { advanced: selected, selected, limit };
  }

  /** After a commit: wake this node's workers, report the fires. */
  #committed(fired: FiredSlot[], skipped: SkippedFire[]): void {
    const recordedAt = this.#ctx.clock.now();
    const { telemetry } = this.#ctx;
    for (const f of fired) {
      f.recordedAt = recordedAt;
      if (f.created) telemetry.scheduleFired(f.automation, recordedAt - f.slot);
    }
    for (const s of skipped) telemetry.runSkipped({ runId: s.runId, automation: s.automation, trigger: TriggerKind.schedule, reason: s.skip.reason, message: s.skip.message });
    if (fired.some((f) => f.created && f.status === RunStatus.queued)) this.#ctx.notifier.runsAvailable();
    if (fired.length > 0) this.#onFired?.(fired);
  }

  /**
   * One pass over due triggers in the caller's transaction: the decisions (pure), every fire of
   * the pass through the engine's batch firing path, and the cursor moves in one statement. A
   * cursor that moved meanwhile fails the pass (it is retried trigger by trigger).
   */
  async #fireAll(tx: Transaction<DB>, rows: DueSchedule[], now: number): Promise<{ fired: FiredSlot[]; skipped: SkippedFire[] }> {
    const requests: FireRequest[] = [];
    const slots: Array<{ row: DueSchedule; slot: number } | null> = [];
    const moves: CursorAdvance[] = [];
    for (const row of rows) {
      const def = JSON.parse(row.config) as ScheduleTriggerDef;
      const source = slotSource(def, row.automation_id, row.trigger_id);
      const policy = catchUpPolicy(def);
      const decision = decide(source, cursorSlot(row), now, policy);
      const base = { workspaceId: row.workspace_id, automationId: row.automation_id, triggerId: row.trigger_id, source: 'schedule', receivedAt: now };
      if (decision.misfire) {
        const m = decision.misfire;
        const id = fireId(row.automation_id, row.trigger_id, m.first);
        const details = { missed_slots: m.count, first_slot: iso(m.first), last_slot: iso(m.last), truncated: m.truncated, catch_up: policy.catchUp };
        requests.push({
          ...base,
          idempotencyKey: id,
          data: { slot: iso(m.first), fire_id: id, misfire: details },
          skip: { reason: SkipReason.misfire, message: misfireMessage(m.count, m.truncated, policy.graceMs), details },
        });
        slots.push(null);
      }
      for (const f of decision.fires) {
        const id = fireId(row.automation_id, row.trigger_id, f.slot);
        const data = { slot: iso(f.slot), fire_id: id, catch_up: f.catchUp, ...(f.coalesced !== undefined ? { coalesced: f.coalesced } : {}) };
        requests.push({ ...base, idempotencyKey: id, data });
        slots.push({ row, slot: f.slot });
      }
      const last = decision.fires.at(-1);
      moves.push({
        automationId: row.automation_id,
        triggerId: row.trigger_id,
        expectedNext: row.next_fire_at,
        ...storeCursor(source, decision.next),
        last_fire_at: last ? last.slot : null,
        last_fire_id: last ? fireId(row.automation_id, row.trigger_id, last.slot) : null,
        late: decision.late,
        // A one-shot `at` retires once its slot is handled: kept, disabled, history intact.
        enabled: decision.next === null && def.at !== undefined ? 0 : 1,
      });
    }
    const results = await this.#fires.fireManyInTx(tx, requests, { known: new Map(rows.map((r) => [r.automation_id, r.automation])), at: now });
    const names = new Map(rows.map((r) => [r.automation_id, r.automation.name]));
    await this.#health.recordBatch(tx, rows, requests, results);
    const fired: FiredSlot[] = [];
    const skipped: SkippedFire[] = [];
    for (const [i, result] of results.entries()) {
      if (result.kind !== 'run') continue;
      const automation = names.get(requests[i]!.automationId) ?? requests[i]!.automationId;
      if (result.created && result.skip) skipped.push({ runId: result.runId, automation, skip: result.skip });
      const at = slots[i];
      if (!at) continue;
      fired.push({ automationId: at.row.automation_id, automation, triggerId: at.row.trigger_id, slot: at.slot, runId: result.runId, status: result.status, created: result.created, recordedAt: 0 });
    }
    const moved = await advanceCursors(tx, this.#ctx.store.dialect, moves, now);
    if (moved !== moves.length) throw new Error(`${moves.length - moved} schedule cursor(s) moved during the fire`);
    return { fired, skipped };
  }
}

function misfireMessage(count: number, truncated: boolean, graceMs: number): string {
  const n = truncated ? `more than ${count}` : String(count);
  return `${n} scheduled slot${count === 1 && !truncated ? ' was' : 's were'} missed by more than the misfire grace of ${graceMs / 1000}s`;
}

/** Resolves once the clock reads `at` or later (timers may wake a millisecond early against it). */
async function sleepUntil(clock: Clock, at: number): Promise<void> {
  for (let wait = at - clock.now(); wait > 0; wait = at - clock.now()) await sleep(clock, wait);
}

function quarantineKey(row: { automation_id: string; trigger_id: string }): string {
  return `${row.automation_id}\u0000${row.trigger_id}`;
}
