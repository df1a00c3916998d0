/**
 * `BENCH_ONLY=tracing npm run bench`: engine throughput with tracing on versus off, same session.
 *
 * No-op 3-step runs (`set` actions), 200 in flight, as in run.ts; rounds alternate off / on (a
 * fresh node and database each), so drift of the machine hits both alike. With tracing on, the
 * node exports over OTLP/HTTP (JSON) to a loopback receiver that counts the spans and discards
 * them (5 per run: the run, one segment, three steps). Prints each round, the median runs/s of
 * each mode and their ratio (the target: on ≥ 0.85 × off).
 * Set BENCH_TRACING_RUNS (default 3000), BENCH_TRACING_ROUNDS (pairs, default 3),
 * BENCH_DIALECTS (default sqlite).
 */
import { createServer } from 'node:http';
import { benchDatabase } from './database.js';
import { createRota } from '../src/node/rota.js';
import { applyNoop3, closedLoop, median } from './workload.js';

const RUNS = Number(process.env.BENCH_TRACING_RUNS ?? 3000);
const ROUNDS = Number(process.env.BENCH_TRACING_ROUNDS ?? 3);
const IN_FLIGHT = 200;
const DIALECTS = (process.env.BENCH_DIALECTS ?? 'sqlite').split(',') as ('sqlite' | 'postgres')[];

let spansReceived = 0;
const receiver = createServer((req, res) => {
  let raw = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (raw += chunk));
  req.on('end', () => {
    // counted by the span ids in the body: parsing every export would make the receiver the bottleneck
    spansReceived += raw.split('"spanId"').length - 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/v1/traces`;

async function round(dialect: 'sqlite' | 'postgres', traced: boolean): Promise<number> {
  const database = await benchDatabase(dialect, traced ? 'traced' : 'untraced');
  const rota = await createRota({
    config: {
      dataDir: database.dataDir,
      databaseUrl: database.url,
      logLevel: 'error',
      worker: { concurrency: IN_FLIGHT, leaseMs: 30_000, pollMs: 1_000, shutdownGraceMs: 1_000, enabled: true },
      tracing: { endpoint: traced ? endpoint : null, serviceName: 'rota-bench' },
    },
  });
  try {
    await rota.bootstrap();
    await rota.start();
    const ws = (await rota.workspaces.ensure('default')).id;
    await applyNoop3(rota, ws);
    return await closedLoop(rota, ws, RUNS, IN_FLIGHT);
  } finally {
    await rota.stop({ graceMs: 1_000 });
    await database.drop();
  }
}

for (const dialect of DIALECTS) {
  const off: number[] = [];
  const on: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    off.push(await round(dialect, false));
    const before = spansReceived;
    on.push(await round(dialect, true));
    const spans = spansReceived - before;
    console.log(`tracing [${dialect}] round ${i + 1}: off ${off.at(-1)!.toFixed(0)} runs/s, on ${on.at(-1)!.toFixed(0)} runs/s (${spans} spans received, ${(spans / RUNS).toFixed(1)} per run)`);
  }
  const ratio = median(on) / median(off);
  console.log(`tracing [${dialect}]: ${RUNS} no-op 3-step runs, ${IN_FLIGHT} in flight, median of ${ROUNDS}: off ${median(off).toFixed(0)} runs/s, on ${median(on).toFixed(0)} runs/s, ratio ${ratio.toFixed(3)} (target ≥ 0.85)`);
}
receiver.close();
