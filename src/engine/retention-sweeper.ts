/**
 * The retention sweeper: every `retention.interval` it deletes the terminal runs each
 * automation's policy lets go (the definition's `execution.retention` over the node's
 * `retention.*`, key by key), then old published events and webhook deliveries, then (SQLite) gives
 * the freed pages back to the file system. Bounded work: batches of `retention.batch_size` runs,
 * one short transaction each, `retention.batch_pause` (at least as long as the batch took) between two, so the workers' commits get
 * the database in between (on SQLite they share its one connection). On PostgreSQL each batch
 * takes a transaction-scoped advisory lock (store/retention.ts): one node sweeps at a time.
 *
 * Each batch is logged (info) and handed to `onSweep`; `stats` keeps running totals for metrics.
 */
import { performance } from 'node:perf_hooks';
import type { TimerHandle } from '../clock.js';
import { toErrorShape } from '../errors.js';
import {
  automationsToSweep,
  checkpoint,
  deleteOldDeliveries,
  deleteOldEvents,
  deleteRuns,
  freePages,
  loadRunHistory,
  previewPrune,
  PruneReason,
  selectPrunable,
  tryLockSweep,
  type PrunePreview,
  type RetainedAutomation,
  type RetentionPolicy,
  type RunTableName,
} from '../store/retention.js';
import type { EngineContext } from './context.js';
import { archiveRuns } from './run-archive.js';

/** One batch: runs of one automation, or a batch of events or deliveries, or a vacuum chunk. */
export interface SweepBatch {
  kind: 'runs' | 'events' | 'deliveries' | 'vacuum';
  automationId: string | null;
  /** runs deleted by reason (kind runs) */
  runs: Record<PruneReason, number>;
  /** rows deleted, all tables (runs included), or pages given back (vacuum) */
  rows: number;
  tables: Partial<Record<RunTableName | 'events' | 'webhook_deliveries', number>>;
  durationMs: number;
}

export interface SweepResult {
  /** false: another node held the sweep lock (PostgreSQL) */
  swept: boolean;
  runs: Record<PruneReason, number>;
  rows: number;
  events: number;
  deliveries: number;
  pagesVacuumed: number;
  batches: number;
  durationMs: number;
}

/** Running totals since the node started, for `/metrics`. */
export interface RetentionStats {
  sweeps: number;
  batches: number;
  runsDeleted: Record<PruneReason, number>;
  rowsDeleted: number;
  eventsDeleted: number;
  deliveriesDeleted: number;
  pagesVacuumed: number;
  lastSweepAt: number | null;
  lastSweepMs: number;
}

export interface PreviewEntry {
  automation: string;
  automation_id: string;
  policy: { max_age_ms: number; max_runs: number; keep_failed_ms: number | null };
  prunable: Record<PruneReason, number> & { total: number };
  held: PrunePreview['held'];
}

export interface RetentionSweeperOptions {
  onSweep?: (batch: SweepBatch) => void;
}

const VACUUM_CHUNK_PAGES = 256;
const noRuns = (): Record<PruneReason, number> => ({ age: 0, count: 0, keep_failed: 0 });

export class RetentionSweeper {
  readonly stats: RetentionStats = { sweeps: 0, batches: 0, runsDeleted: noRuns(), rowsDeleted: 0, eventsDeleted: 0, deliveriesDeleted: 0, pagesVacuumed: 0, lastSweepAt: null, lastSweepMs: 0 };
  #timer: TimerHandle | null = null;
  #running: Promise<SweepResult> | null = null;
  #stopping = false;
  #started = false;

  constructor(private readonly ctx: EngineContext, private readonly options: RetentionSweeperOptions = {}) {}

  start(): void {
    this.#started = true;
    this.#stopping = false;
    this.#arm();
  }

  /** Stops the loop; a sweep under way ends after its current batch. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#started = false;
    this.ctx.clock.clearTimer(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }

  #arm(): void {
    if (!this.#started) return;
    this.#timer = this.ctx.clock.setTimer(this.ctx.config.retention.interval, () => {
      this.sweep()
        .catch((err: unknown) => this.ctx.logger.warn({ err: toErrorShape(err) }, 'retention sweep failed; trying again at the next interval'))
        .finally(() => this.#arm());
    }, { unref: true });
  }

  /** One sweep now (the loop's, or `rota runs prune`): the whole node, or one workspace / automation. */
  async sweep(filter: { workspaceId?: string; name?: string } = {}): Promise<SweepResult> {
    while (this.#running) await this.#running.catch(() => undefined);
    const running = this.#sweep(filter);
    this.#running = running;
    try {
      return await running;
    } finally {
      this.#running = null;
    }
  }

  async #sweep(filter: { workspaceId?: string; name?: string }): Promise<SweepResult> {
    const started = performance.now();
    const result: SweepResult = { swept: true, runs: noRuns(), rows: 0, events: 0, deliveries: 0, pagesVacuumed: 0, batches: 0, durationMs: 0 };
    const automations = await automationsToSweep(this.ctx.store.db, filter);
    for (const automation of automations) {
      if (!(await this.#sweepRuns(automation, result))) break;
    }
    const cfg = this.ctx.config.retention;
    const whole = filter.workspaceId === undefined && filter.name === undefined;
    if (whole && result.swept && cfg.eventsMaxAge > 0) await this.#sweepTable('events', cfg.eventsMaxAge, result);
    if (whole && result.swept && cfg.deliveriesMaxAge > 0) await this.#sweepTable('deliveries', cfg.deliveriesMaxAge, result);
    if (result.rows + result.events + result.deliveries > 0) await this.#vacuum(result);
    result.durationMs = performance.now() - started;
    this.stats.sweeps++;
    this.stats.lastSweepAt = this.ctx.clock.now();
    this.stats.lastSweepMs = result.durationMs;
    return result;
  }

  /** The automation's policy: its latest version's `execution.retention` over the node's defaults. */
  async policyOf(automation: RetainedAutomation): Promise<RetentionPolicy> {
    const cfg = this.ctx.config.retention;
    let own: { maxAgeMs: number | null; maxRuns: number | null; keepFailedMs: number | null } = { maxAgeMs: null, maxRuns: null, keepFailedMs: null };
    try {
      own = (await this.ctx.plans.get(this.ctx.store.db, automation.id, automation.latest_version)).plan.retention;
    } catch (err) {
      this.ctx.logger.warn({ automation: automation.name, err: toErrorShape(err) }, 'retention: the definition does not compile; its runs go by the node defaults');
    }
    return { maxAgeMs: own.maxAgeMs ?? cfg.maxAge, maxRuns: own.maxRuns ?? cfg.maxRuns, keepFailedMs: own.keepFailedMs ?? cfg.keepFailed };
  }

  /** Batches of one automation until none is full; false when the sweep must end (stopping, lock held elsewhere). */
  async #sweepRuns(automation: RetainedAutomation, result: SweepResult): Promise<boolean> {
    const policy = await this.policyOf(automation);
    const { store, clock } = this.ctx;
    const { batchSize, archiveDir } = this.ctx.config.retention;
    for (;;) {
      if (this.#stopping) return false;
      const t0 = performance.now();
      const now = clock.now();
      const batch = await store.db.transaction().execute(async (tx) => {
        if (!(await tryLockSweep(tx, store.dialect))) return null;
        const candidates = await selectPrunable(tx, store.dialect, automation.id, policy, now, batchSize);
        if (candidates.length === 0) return { candidates, tables: {} as Record<RunTableName, number> };
        const ids = candidates.map((c) => c.id);
        if (archiveDir) archiveRuns(archiveDir, await loadRunHistory(tx, ids), now);
        return { candidates, tables: await deleteRuns(tx, ids) };
      });
      if (!batch) {
        result.swept = false;
        return false;
      }
      if (batch.candidates.length === 0) return true;
      const runs = noRuns();
      for (const c of batch.candidates) runs[c.reason]++;
      const rows = Object.values(batch.tables).reduce((s, n) => s + n, 0);
      this.#record({ kind: 'runs', automationId: automation.id, runs, rows, tables: batch.tables, durationMs: performance.now() - t0 }, result, automation.name);
      if (batch.candidates.length < batchSize) return true;
      await this.#pause(performance.now() - t0);
    }
  }

  async #sweepTable(kind: 'events' | 'deliveries', maxAge: number, result: SweepResult): Promise<void> {
    const { store, clock } = this.ctx;
    const { batchSize } = this.ctx.config.retention;
    for (;;) {
      if (this.#stopping) return;
      const t0 = performance.now();
      const before = clock.now() - maxAge;
      const deleted = await store.db.transaction().execute(async (tx) => {
        if (!(await tryLockSweep(tx, store.dialect))) return 0;
        return kind === 'events' ? deleteOldEvents(tx, before, batchSize) : deleteOldDeliveries(tx, before, batchSize);
      });
      if (deleted === 0) return;
      const table = kind === 'events' ? 'events' : 'webhook_deliveries';
      this.#record({ kind, automationId: null, runs: noRuns(), rows: deleted, tables: { [table]: deleted }, durationMs: performance.now() - t0 }, result);
      if (deleted < batchSize) return;
      await this.#pause(performance.now() - t0);
    }
  }

  /** SQLite: free pages back to the file system, a chunk per short write, then a checkpoint. */
  async #vacuum(result: SweepResult): Promise<void> {
    const { store } = this.ctx;
    if (store.dialect !== 'sqlite') return;
    let gave = 0;
    const t0 = performance.now();
    for (let free = await freePages(store.db, store.dialect); free > 0 && !this.#stopping; ) {
      const c0 = performance.now();
      await store.reclaimPages(Math.min(free, VACUUM_CHUNK_PAGES));
      const left = await freePages(store.db, store.dialect);
      // a database without auto_vacuum keeps its free pages: stop rather than spin
      if (left >= free) break;
      gave += free - left;
      free = left;
      await this.#pause(performance.now() - c0);
    }
    if (gave === 0) return;
    await checkpoint(store.db, store.dialect);
    result.pagesVacuumed += gave;
    this.#record({ kind: 'vacuum', automationId: null, runs: noRuns(), rows: gave, tables: {}, durationMs: performance.now() - t0 }, result);
  }

  #record(batch: SweepBatch, result: SweepResult, automation?: string): void {
    result.batches++;
    this.stats.batches++;
    if (batch.kind === 'runs') {
      for (const reason of Object.values(PruneReason)) {
        result.runs[reason] += batch.runs[reason];
        this.stats.runsDeleted[reason] += batch.runs[reason];
      }
      result.rows += batch.rows;
      this.stats.rowsDeleted += batch.rows;
    } else if (batch.kind === 'events') {
      result.events += batch.rows;
      this.stats.eventsDeleted += batch.rows;
    } else if (batch.kind === 'deliveries') {
      result.deliveries += batch.rows;
      this.stats.deliveriesDeleted += batch.rows;
    } else {
      this.stats.pagesVacuumed += batch.rows;
    }
    const fields = { kind: batch.kind, ...(automation ? { automation } : {}), runs: batch.runs, rows: batch.rows, tables: batch.tables, duration_ms: Math.round(batch.durationMs * 10) / 10 };
    this.ctx.logger.info({ retention: fields }, batch.kind === 'vacuum' ? 'retention: gave free pages back' : 'retention: batch deleted');
    if (batch.kind !== 'vacuum') this.ctx.telemetry.retentionSwept({ runsByReason: batch.runs, rowsByTable: batch.tables });
    try {
      this.options.onSweep?.(batch);
    } catch (err) {
      this.ctx.logger.warn({ err: toErrorShape(err) }, 'retention: onSweep threw');
    }
  }

  /**
   * The pause after a batch that took `batchMs`: `retention.batch_pause`, or as long as the batch
   * took when that is longer, so the sweep holds the database at most half the time however slow
   * a batch gets (a big table, a busy disk). 0 turns pauses off (tests).
   */
  #pause(batchMs: number): Promise<void> {
    const { batchPause } = this.ctx.config.retention;
    return new Promise((resolve) => this.ctx.clock.setTimer(batchPause > 0 ? Math.max(batchPause, Math.ceil(batchMs)) : 0, resolve));
  }

  /** What the next sweep would delete, per automation (of a workspace, or one by name), and what it holds back. */
  async preview(filter: { workspaceId?: string; name?: string }): Promise<PreviewEntry[]> {
    const now = this.ctx.clock.now();
    const out: PreviewEntry[] = [];
    for (const automation of await automationsToSweep(this.ctx.store.db, filter)) {
      const policy = await this.policyOf(automation);
      const p = await previewPrune(this.ctx.store.db, automation.id, policy, now);
      const total = p.prunable.age + p.prunable.count + p.prunable.keep_failed;
      out.push({
        automation: automation.name,
        automation_id: automation.id,
        policy: { max_age_ms: policy.maxAgeMs, max_runs: policy.maxRuns, keep_failed_ms: policy.keepFailedMs },
        prunable: { ...p.prunable, total },
        held: p.held,
      });
    }
    return out;
  }
}
