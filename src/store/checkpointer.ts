/**
 * WAL checkpoints of the SQLite store, off the event loop. SQLite's automatic checkpoint runs
 * inside the COMMIT that crosses the WAL threshold (1,000 pages): that commit copied the pages
 * into the database file and synced it, ~20 ms every few seconds with 10,000 schedules firing,
 * stalling every caller of the one connection meanwhile (the scheduler benchmark's p99). Here a
 * worker thread with its own connection runs a PASSIVE checkpoint every 250 ms: it never waits for
 * and never blocks the writer, so the WAL stays short without a commit paying for it (a check with
 * nothing to copy costs next to nothing; small frequent checkpoints measured better than waiting
 * for SQLite's threshold). The main connection keeps a high automatic threshold as a backstop
 * should the thread fall behind or die.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { once } from 'node:events';

/** The backstop for the main connection's automatic checkpoint (pages; ~40 MiB of WAL). */
export const BACKSTOP_PAGES = 10_000;
const EVERY_MS = 250;

// CommonJS source for an eval'd worker: the bundled binary has no separate file to point at.
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 1000');
let failures = 0;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failures = 0;
  } catch (err) {
    // SQLITE_BUSY and the like: the next tick tries again; the main connection's backstop holds.
    if (++failures === 20) parentPort.postMessage({ failing: String(err && err.message || err) });
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  stop(): Promise<void>;
}

export function startCheckpointer(file: string, onFailing: (message: string) => void): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(SOURCE, { eval: true, workerData: { file, driver, everyMs: EVERY_MS } });
  worker.unref();
  worker.on('message', (msg: { failing?: string }) => msg.failing && onFailing(msg.failing));
  // A thread that cannot start or dies leaves the backstop in charge; never the process's concern.
  worker.on('error', (err) => onFailing(String(err)));
  const exited = once(worker, 'exit').then(() => undefined, () => undefined);
  let stopped: Promise<void> | null = null;
  return {
    stop: () =>
      (stopped ??= (async () => {
        worker.postMessage('stop');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 2_000)))]);
        clearTimeout(timer);
        await worker.terminate();
      })()),
  };
}
