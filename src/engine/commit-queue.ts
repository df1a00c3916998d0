/**
 * Group commit: state changes of many runs share one transaction. Each commit on PostgreSQL waits
 * for an fsync (~1,700 single-row transactions/s here) and each SQLite commit appends and syncs
 * WAL frames; with hundreds of runs in flight, one transaction per step was the ceiling of the
 * throughput benchmark. Work items must not throw for expected outcomes (a lost lease is a return
 * value): on PostgreSQL an error aborts the whole transaction, so an unexpected error fails every
 * item of its batch, and each of them is handled like a failed commit by its caller.
 */
import type { Transaction } from 'kysely';
import type { DB } from '../store/schema.js';
import type { Store } from '../store/connect.js';
import type { Clock } from '../clock.js';
import { applyRunFlushes, type RunFlush, type RunFlushResult } from '../store/run-flush.js';
import { insertRuns, type RunInsert } from '../store/run-insert.js';
import { noopTelemetry, type Telemetry } from '../telemetry.js';

interface Item {
  /** a generic unit of work, or a run's state changes (merged with the batch's other runs) */
  work: ((tx: Transaction<DB>) => Promise<unknown>) | RunFlush | { insert: RunInsert };
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

const MAX_BATCH = 256;

export class CommitQueue {
  #pending: Item[] = [];
  #drainers = 0;
  #scheduled = false;
  /**
   * Concurrent batches. SQLite has one connection, so one. On PostgreSQL a batch's statements run
   * one after another on one connection (~0.1 ms round trip each), so a few batches in parallel
   * keep the pool busy while each still shares one fsync among many runs.
   */
  readonly #parallel: number;

  constructor(private readonly store: Store, private readonly clock: Clock, private readonly telemetry: Telemetry = noopTelemetry) {
    this.#parallel = store.dialect === 'postgres' ? 4 : 1;
  }

  run<T>(work: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
    return this.#enqueue(work) as Promise<T>;
  }

  /** Commits one run's changes, fenced by its lease; null when the lease was lost. */
  flush(flush: RunFlush): Promise<RunFlushResult> {
    return this.#enqueue(flush) as Promise<RunFlushResult>;
  }

  /** Creates a run (no admission decision needed); false when its idempotency key was taken. */
  insert(insert: RunInsert): Promise<boolean> {
    return this.#enqueue({ insert }) as Promise<boolean>;
  }

  #enqueue(work: Item['work']): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      this.#pending.push({ work, resolve, reject });
      if (!this.#scheduled && this.#drainers < this.#parallel) {
        this.#scheduled = true;
        // Let every executor that is ready in this turn of the event loop join the batch.
        setImmediate(() => {
          this.#scheduled = false;
          if (this.#drainers < this.#parallel && this.#pending.length > 0) void this.#drain();
        });
      }
    });
  }

  async #commit(batch: Item[]): Promise<unknown[]> {
    const { dialect } = this.store;
    if (dialect === 'postgres' && batch.every((item) => typeof item.work === 'object' && 'insert' in item.work)) {
      // Only new runs: insertRuns is ONE statement there, its own transaction. No BEGIN and
      // COMMIT round trips (webhook ingestion: a third of the statements it sent).
      return insertRuns(this.store.db, dialect, batch.map((item) => (item.work as { insert: RunInsert }).insert), { wake: true });
    }
    return this.store.db.transaction().execute(async (tx) => {
      const out: unknown[] = new Array(batch.length);
      const flushes: number[] = [];
      const inserts: number[] = [];
      for (let i = 0; i < batch.length; i++) {
        const work = batch[i].work;
        if (typeof work === 'function') out[i] = await work(tx);
        else if ('insert' in work) inserts.push(i);
        else flushes.push(i);
      }
      if (inserts.length > 0) {
        const done = await insertRuns(tx, dialect, inserts.map((i) => (batch[i].work as { insert: RunInsert }).insert), { wake: true });
        inserts.forEach((i, k) => (out[i] = done[k]));
      }
      if (flushes.length > 0) {
        const flushed = await applyRunFlushes(tx, flushes.map((i) => batch[i].work as RunFlush), this.clock.now());
        flushes.forEach((i, k) => (out[i] = flushed[k]));
      }
      return out;
    });
  }

  /** PostgreSQL chose this transaction as a deadlock victim: once more, then give up. */
  async #retryAlone(item: Item, err: unknown): Promise<void> {
    const code = (err as { code?: unknown })?.code;
    if (code !== '40P01' && code !== '40001') return item.reject(err);
    try {
      item.resolve((await this.#commit([item]))[0]);
    } catch (again) {
      item.reject(again);
    }
  }

  async #drain(): Promise<void> {
    this.#drainers++;
    while (this.#pending.length > 0) {
      const size = Math.min(MAX_BATCH, Math.ceil(this.#pending.length / (this.#parallel - this.#drainers + 1)));
      const batch = this.#pending.splice(0, size);
      try {
        const t0 = performance.now();
        const results = await this.#commit(batch);
        this.telemetry.commitFinished(performance.now() - t0, batch.length);
        batch.forEach((item, i) => item.resolve(results[i]));
      } catch (err) {
        if (batch.length === 1) {
          await this.#retryAlone(batch[0], err);
          continue;
        }
        // The batch rolled back as a whole (e.g. a deadlock with another node's batch: two nodes
        // inserting the same idempotency keys in different orders). Nothing of it was written, so
        // each item is committed again on its own and fails alone if it must.
        for (const item of batch) {
          try {
            item.resolve((await this.#commit([item]))[0]);
          } catch (itemErr) {
            await this.#retryAlone(item, itemErr);
          }
        }
      }
    }
    this.#drainers--;
  }
}
