/**
 * `npm run bench` (or BENCH_ONLY=metrics): the cost of metrics on the hot path. The throughput
 * workload of run.ts (no-op 3-step runs, 200 in flight) on a node with the metrics sink enabled
 * and on one with it disabled, alternating in the same session (off, on, off, on, ...), so drift of
 * the machine hits both alike; prints runs/s of each round, the mean of each side and the ratio
 * (target: on ≥ 0.95 × off). While metrics are on, /metrics is scraped every second, as a
 * Prometheus server would, so the database gauges' reads are part of the figure.
 * BENCH_RUNS (default 3000), BENCH_ROUNDS (pairs, default 3), BENCH_DIALECTS (default sqlite,postgres).
 */
import { applyNoop3, closedLoop } from './workload.js';
import { benchDatabase } from './database.js';
import { createRota } from '../src/node/rota.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = 200;

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
    await applyNoop3(rota, ws);
    return await closedLoop(rota, ws, RUNS, IN_FLIGHT);
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
