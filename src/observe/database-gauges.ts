/**
 * Gauges read from the database (queued runs, waiting runs by `waiting_for`): one grouped count
 * over a partial index of open runs (store/run-counts.ts), cached for `ttlMs` so that scrapes by
 * several Prometheus servers, or a tight scrape interval, cost one query per period. Concurrent
 * scrapes share one query; a failed query keeps the last values and is logged.
 */
import type { OpenRunCounts } from '../store/run-counts.js';
import type { Logger } from '../engine/logger.js';

export type OpenRunsSource = () => Promise<OpenRunCounts>;

export class DatabaseGauges {
  #value: OpenRunCounts = { queued: 0, waiting: new Map() };
  #readAt = -Infinity;
  #pending: Promise<OpenRunCounts> | null = null;

  constructor(private readonly source: OpenRunsSource, private readonly ttlMs: number, private readonly logger: Logger) {}

  read(): Promise<OpenRunCounts> {
    if (performance.now() - this.#readAt < this.ttlMs) return Promise.resolve(this.#value);
    this.#pending ??= this.source()
      .then((value) => {
        this.#value = value;
        return value;
      })
      .catch((err: unknown) => {
        this.logger.warn({ err: String(err) }, 'could not count open runs for /metrics; serving the last values');
        return this.#value;
      })
      .finally(() => {
        // a failed read is retried on the next scrape after the same pause, not on every one
        this.#readAt = performance.now();
        this.#pending = null;
      });
    return this.#pending;
  }
}
