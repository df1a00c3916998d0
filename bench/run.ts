/**
 * `npm run bench`: Rota's engine throughput and latency on SQLite and PostgreSQL.
 *
 * - throughput: no-op 3-step runs (`set` actions) with 200 runs in flight (worker slots 200); runs/s
 *   and steps/s from the first create to the last terminal run.
 * - latency: 1-step runs on an idle engine through the real HTTP API (`POST .../runs?wait=...`),
 *   one at a time: p50/p99 from request to the response carrying the finished run.
 * - peak RSS of the process.
 * Set BENCH_RUNS (default 3000), BENCH_LATENCY (default 300), BENCH_DIALECTS (default sqlite,postgres).
 */
import { benchDatabase } from './database.js';
import { applyNoop3, closedLoop } from './workload.js';
import { createRota, type Rota } from '../src/node/rota.js';
import { createApi, serveApi } from '../src/api/server.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3000);
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY ?? 300);
const IN_FLIGHT = 200;

let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

async function withRota<T>(dialect: 'sqlite' | 'postgres', concurrency: number, fn: (rota: Rota, ws: string) => Promise<T>): Promise<T> {
  const database = await benchDatabase(dialect, 'engine');
  const rota = await createRota({
    config: { dataDir: database.dataDir, databaseUrl: database.url, logLevel: 'error', worker: { concurrency, leaseMs: 30_000, pollMs: 1_000, shutdownGraceMs: 1_000, enabled: true } },
  });
  try {
    await rota.bootstrap();
    await rota.start();
    const ws = (await rota.workspaces.ensure('default')).id;
    return await fn(rota, ws);
  } finally {
    await rota.stop({ graceMs: 1_000 });
    await database.drop();
  }
}

async function throughput(rota: Rota, ws: string): Promise<{ runsPerS: number; stepsPerS: number; seconds: number }> {
  await applyNoop3(rota, ws);
  const runsPerS = await closedLoop(rota, ws, RUNS, IN_FLIGHT);
  const failed = await rota.runs.list(ws, { status: ['failed', 'timed_out', 'canceled'], limit: 1 });
  if (failed.total > 0) throw new Error(`${failed.total} bench runs did not succeed`);
  return { runsPerS, stepsPerS: runsPerS * 3, seconds: RUNS / runsPerS };
}

async function latency(rota: Rota, ws: string): Promise<{ p50: number; p99: number; mean: number }> {
  await rota.automations.apply(ws, { name: 'noop1', steps: [{ id: 'a', action: 'set', with: { v: 1 } }] });
  const { token } = await rota.tokens.create(null, 'bench', ['admin']);
  const app = createApi(rota, { maxBodyBytes: 1024 * 1024, defaultWorkspace: 'default' });
  const server = await serveApi(app, { host: '127.0.0.1', port: 0 });
  const samples: number[] = [];
  try {
    for (let i = 0; i < LATENCY_RUNS + 20; i++) {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/api/v1/automations/noop1/runs?wait=10s`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"inputs":{}}',
      });
      const body = (await res.json()) as { status: string };
      const ms = performance.now() - t0;
      if (body.status !== 'succeeded') throw new Error(`latency run ended ${body.status}`);
      if (i >= 20) samples.push(ms); // the first requests warm up JIT and caches
    }
  } finally {
    await server.close();
  }
  samples.sort((a, b) => a - b);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  return { p50: q(0.5), p99: q(0.99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

const results: Record<string, unknown>[] = [];
const dialects = (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[];
for (const dialect of dialects) {
  peakRss = 0;
  const t = await withRota(dialect, IN_FLIGHT, throughput);
  const l = await withRota(dialect, 10, latency);
  results.push({
    dialect,
    runs: RUNS,
    'runs/s': Math.round(t.runsPerS),
    'steps/s': Math.round(t.stepsPerS),
    'latency p50 ms': l.p50.toFixed(2),
    'latency p99 ms': l.p99.toFixed(2),
    'peak RSS MB': Math.round(peakRss / 1024 / 1024),
  });
  console.log(JSON.stringify(results[results.length - 1]));
}
clearInterval(rssTimer);
console.table(results);

