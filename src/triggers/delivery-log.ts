/**
 * The per-trigger delivery log and the counters of unauthenticated requests, written behind the
 * request path: a delivery's run is committed before it is answered, its log line is not. Lines
 * are buffered and inserted in one multi-row statement every FLUSH_MS (a separate write per
 * delivery cost ~40% of ingestion throughput on SQLite); a crash may lose the last FLUSH_MS of
 * log lines, never a run. Each trigger keeps its newest DELIVERY_LOG_SIZE lines.
 */
import type { EngineContext } from '../engine/context.js';
import { addUnauthenticated, type DeliveryRow, insertDeliveries, pruneDeliveries } from '../store/webhooks.js';
import { toErrorShape } from '../errors.js';
import type { TimerHandle } from '../clock.js';

export const DELIVERY_LOG_SIZE = 200;
const FLUSH_MS = 50;
const STATS_FLUSH_MS = 2_000;
/** prune a trigger after this many new lines (the log may exceed its size by that much, briefly) */
const PRUNE_EVERY = 20;

export class DeliveryLog {
  #pending: DeliveryRow[] = [];
  #flushing: Promise<void> | null = null;
  #timer: TimerHandle | null = null;
  readonly #sincePrune = new Map<string, number>();
  readonly #unauthenticated = new Map<string, { automationId: string; triggerId: string; count: number; at: number; reason: string }>();
  #statsTimer: TimerHandle | null = null;

  constructor(private readonly ctx: EngineContext) {}

  add(row: DeliveryRow): void {
    this.#pending.push(row);
    this.#timer ??= this.ctx.clock.setTimer(FLUSH_MS, () => void this.flush(), { unref: true });
  }

  countUnauthenticated(automationId: string, triggerId: string, reason: string, at: number): void {
    const key = `${automationId}\u0000${triggerId}`;
    const entry = this.#unauthenticated.get(key) ?? { automationId, triggerId, count: 0, at, reason };
    entry.count++;
    entry.at = at;
    entry.reason = reason;
    this.#unauthenticated.set(key, entry);
    this.#statsTimer ??= this.ctx.clock.setTimer(STATS_FLUSH_MS, () => void this.flush(), { unref: true });
  }

  /** Writes everything buffered (readers call it first, so this node's log is always current). */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing;
    this.ctx.clock.clearTimer(this.#timer);
    this.ctx.clock.clearTimer(this.#statsTimer);
    this.#timer = null;
    this.#statsTimer = null;
    const rows = this.#pending;
    const stats = [...this.#unauthenticated.values()];
    this.#pending = [];
    this.#unauthenticated.clear();
    if (rows.length === 0 && stats.length === 0) return;
    this.#flushing = this.#write(rows, stats).finally(() => (this.#flushing = null));
    await this.#flushing;
  }

  async #write(rows: DeliveryRow[], stats: { automationId: string; triggerId: string; count: number; at: number; reason: string }[]): Promise<void> {
    const { db } = this.ctx.store;
    try {
      if (rows.length > 0) await insertDeliveries(db, rows);
      for (const row of rows) {
        const key = `${row.automation_id}\u0000${row.trigger_id}`;
        const n = (this.#sincePrune.get(key) ?? 0) + 1;
        this.#sincePrune.set(key, n >= PRUNE_EVERY ? 0 : n);
        if (n >= PRUNE_EVERY) await pruneDeliveries(db, row.automation_id, row.trigger_id, DELIVERY_LOG_SIZE);
      }
      for (const e of stats) await addUnauthenticated(db, e.automationId, e.triggerId, e.count, e.at, e.reason);
    } catch (err) {
      this.ctx.logger.warn({ err: toErrorShape(err), lines: rows.length }, 'could not record webhook deliveries');
    }
  }
}
