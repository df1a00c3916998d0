/**
 * `npm run bench` (or BENCH_ONLY=metrics): the cost of metrics on the hot path. The throughput
 * workload of run.ts (no-op 3-step runs, 200 in flight) on a node with the metrics sink enabled
 * and on one with it disabled, alternating in the same session (off, on, off, on, ...), so drift of
 * the machine hits both alike; prints runs/s of each round, the mean of each side and the ratio
 * (target: on ≥ 0.95 × off). While metrics are on, /metrics is scraped every second, as a
 * Prometheus server would, so the database gauges' reads are part of the figure.
 * BENCH_RUNS (default 3000), BENCH_ROUNDS (pairs, default 3), BENCH_DIALECTS (default sqlite,postgres).
 */
import { internalsOf } from '../src/testing/index.js';
import { benchDatabase } from './database.js';
import { createRota } from '../src/node/rota.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = 200;
const TERMINAL = new Set(['run.succeeded', 'run.failed', 'run.canceled', 'run.timed_out']);

async function round(dialect: 'sqlite' | 'postgres', metrics: boolean): Promise<number> {
  const database = await benchDatabase(dialect, 'metrics');
  const rota = await createRota({
    config: {
      dataDir: database.dataDir,
      databaseUrl: database.url,
      logLevel: 'error',
      metrics: { enabled: metrics, public: false, automationLabels: true, gaugeCacheMs: 5_000 },
      worker: { concurrency: IN_FLIGHT, leaseMs: 30_000, pollMs: 1_000, shutdownGraceMs: 1_000, enabled: true },
    },
  });
  const scraper = metrics ? setInterval(() => void rota.metrics.scrape(), 1_000) : null;
  try {
    await rota.bootstrap();
    await rota.start();
    const ws = (await rota.workspaces.ensure('default')).id;
    await rota.automations.apply(ws, {
      name: 'noop3',
      steps: [
        { id: 'a', action: 'set', with: { v: 1 } },
        { id: 'b', action: 'set', with: { v: '{{ steps.a.output.v }}' } },
        { id: 'c', action: 'set', with: { v: '{{ steps.b.output.v }}' } },
      ],
    });
    const notifier = internalsOf(rota).context.notifier;
    let started = 0;
    let finished = 0;
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const launch = () => {
        while (started - finished < IN_FLIGHT && started < RUNS) {
          started++;
          rota.runs.start(ws, 'noop3', {}).then(({ run }) => {
            if (run.status === 'succeeded') return;
            return new Promise<void>((done) => {
              const off = notifier.subscribe(run.id, (events) => {
                if (events.some((e) => TERMINAL.has(e.type))) {
                  off();
                  done();
                }
              });
              void rota.runs.get(ws, run.id).then((r) => {
                if (['succeeded', 'failed', 'canceled', 'timed_out'].includes(r.status)) {
                  off();
                  done();
                }
              });
            });
          }).then(() => {
            finished++;
            if (finished === RUNS) resolve();
            else launch();
          }, reject);
        }
      };
      launch();
    });
    return RUNS / ((performance.now() - t0) / 1000);
  } finally {
    if (scraper) clearInterval(scraper);
    await rota.stop({ graceMs: 1_000 });
    await database.drop();
  }
}

const results: Record<string, unknown>[] = [];
for (const dialect of (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[]) {
  const off: number[] = [];
  const on: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    off.push(await round(dialect, false));
    on.push(await round(dialect, true));
    console.log(JSON.stringify({ dialect, round: i + 1, 'metrics off runs/s': Math.round(off[i]!), 'metrics on runs/s': Math.round(on[i]!) }));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  results.push({ dialect, runs: RUNS, rounds: ROUNDS, 'metrics off runs/s': Math.round(mean(off)), 'metrics on runs/s': Math.round(mean(on)), 'on/off': (mean(on) / mean(off)).toFixed(3) });
}
console.table(results);
