/**
 * The throughput workload the engine benchmarks share (run.ts, metrics.ts, tracing.ts): no-op
 * 3-step runs (`set` actions) started in a closed loop with a fixed number in flight, each counted
 * when its terminal event is published on the node.
 */
import type { Rota } from '../src/node/rota.js';
import { internalsOf } from '../src/testing/index.js';

export const NOOP3 = 'noop3';
const ENDED = new Set(['succeeded', 'failed', 'canceled', 'timed_out']);

export async function applyNoop3(rota: Rota, ws: string): Promise<void> {
  await rota.automations.apply(ws, {
    name: NOOP3,
    steps: [
      { id: 'a', action: 'set', with: { v: 1 } },
      { id: 'b', action: 'set', with: { v: '{{ steps.a.output.v }}' } },
      { id: 'c', action: 'set', with: { v: '{{ steps.b.output.v }}' } },
    ],
  });
}

/**
 * Resolves when the run's terminal event is published on this node, after its commit. Listens to
 * the node's in-process notifier so the measurement adds no database reads of its own (but one, for
 * a run that ended before the subscription).
 */
export function waitTerminal(rota: Rota, runId: string): Promise<void> {
  return new Promise((resolve) => {
    const off = internalsOf(rota).context.notifier.subscribe(runId, (events) => {
      if (events.some((e) => e.type.startsWith('run.') && ENDED.has(e.type.slice(4)))) {
        off();
        resolve();
      }
    });
    void internalsOf(rota).store.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirst().then((row) => {
      if (row && ENDED.has(row.status)) {
        off();
        resolve();
      }
    });
  });
}

/** Starts `runs` runs of `noop3`, at most `inFlight` unfinished at a time; resolves with runs/s from the first start to the last end. */
export async function closedLoop(rota: Rota, ws: string, runs: number, inFlight: number): Promise<number> {
  let started = 0;
  let finished = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const launch = () => {
      while (started - finished < inFlight && started < runs) {
        started++;
        rota.runs
          .start(ws, NOOP3, {})
          .then(({ run }) => (ENDED.has(run.status) ? undefined : waitTerminal(rota, run.id)))
          .then(() => {
            finished++;
            if (finished === runs) resolve();
            else launch();
          }, reject);
      }
    };
    launch();
  });
  return runs / ((performance.now() - t0) / 1000);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
