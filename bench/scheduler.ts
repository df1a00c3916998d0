/**
 * `npm run bench` (second part): the scheduler with 10,000 active cron schedules spread over a
 * minute (seconds field: `S * * * * *`, S = i mod 60, so ~167 schedules share each second), on
 * SQLite and PostgreSQL, in one scheduler-only node (no worker: its runs would compete for the
 * same 2 cores; `rota serve --no-worker` is that role).
 *
 * - lateness: from a slot to the commit of the transaction that recorded its run, p50/p99/max,
 *   over BENCH_SCHEDULE_SECONDS (default 60) after a warm-up;
 * - idle CPU: process CPU time / wall time in the gaps between fires (from 300 ms to 750 ms after
 *   each second's slot: that second's fires are done, and on PostgreSQL the next second's are
 *   staged from 800 ms on), and over the whole measured window for context.
 * Set BENCH_SCHEDULES (default 10000), BENCH_DIALECTS (default sqlite,postgres),
 * BENCH_SCHEDULE_OVERLAP (default allow; `skip` decides overlap at every fire, which PostgreSQL
 * cannot stage ahead of the slot).
 */
import { benchDatabase } from './database.js';
import { createRota, type Rota } from '../src/node/rota.js';
import type { FiredSlot } from '../src/scheduler/scheduler.js';

const SCHEDULES = Number(process.env.BENCH_SCHEDULES ?? 10_000);
const SECONDS = Number(process.env.BENCH_SCHEDULE_SECONDS ?? 60);
const WARMUP_MS = 10_000;
/** `allow` by default: no worker runs here, so with `skip` every fire after the first minute is an overlap skip. */
const OVERLAP = (process.env.BENCH_SCHEDULE_OVERLAP ?? 'allow') as 'allow' | 'skip';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function bench(dialect: 'sqlite' | 'postgres') {
  const database = await benchDatabase(dialect, 'sched');
  const lateness: number[] = [];
  let measuring = false;
  const onFired = (fired: FiredSlot[]) => {
    if (!measuring) return;
    for (const f of fired) if (f.created) lateness.push(f.recordedAt - f.slot);
  };
  const rota: Rota = await createRota({
    config: { dataDir: database.dataDir, databaseUrl: database.url, logLevel: 'error', worker: { concurrency: 10, leaseMs: 30_000, pollMs: 1_000, shutdownGraceMs: 0, enabled: false } },
    scheduler: { onFired, ...(process.env.BENCH_LANES ? { lanes: Number(process.env.BENCH_LANES) } : {}), ...(process.env.BENCH_BATCH ? { batchSize: Number(process.env.BENCH_BATCH) } : {}) },
  });
  try {
    await rota.bootstrap();
    const ws = (await rota.workspaces.ensure('default')).id;
    // Started first so that it keeps up while the schedules are created; measured after a warm-up.
    await rota.start();
    const setupStart = Date.now();
    for (let i = 0; i < SCHEDULES; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, SCHEDULES - i) }, (_, j) => {
          const n = i + j;
          return rota.automations.apply(ws, {
            name: `cron-${n}`,
            triggers: [{ id: 'tick', type: 'schedule', cron: `${n % 60} * * * * *`, overlap: OVERLAP }],
            steps: [{ id: 'a', action: 'set', with: { n } }],
          });
        }),
      );
    }
    const setupS = (Date.now() - setupStart) / 1000;
    await sleep(WARMUP_MS);
    // Idle windows: between 300 and 750 ms after each second (see above).
    const idle = { cpu: 0, wall: 0 };
    measuring = true;
    const profiler = await startProfile();
    const startCpu = process.cpuUsage();
    const startWall = Date.now();
    const end = startWall + SECONDS * 1000;
    while (Date.now() < end) {
      await sleep(1000 - (Date.now() % 1000) + 300);
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      await sleep(450);
      const c = process.cpuUsage(c0);
      idle.cpu += (c.user + c.system) / 1000;
      idle.wall += performance.now() - w0;
    }
    measuring = false;
    await profiler?.stop(`${dialect}`);
    const total = process.cpuUsage(startCpu);
    const wall = Date.now() - startWall;
    lateness.sort((a, b) => a - b);
    const q = (p: number) => lateness[Math.min(lateness.length - 1, Math.floor(p * lateness.length))] ?? NaN;
    return {
      dialect,
      schedules: SCHEDULES,
      overlap: OVERLAP,
      'setup s': setupS.toFixed(1),
      fires: lateness.length,
      'fires/s': Math.round(lateness.length / (wall / 1000)),
      'lateness p50 ms': q(0.5),
      'lateness p99 ms': q(0.99),
      'lateness max ms': lateness[lateness.length - 1],
      'idle CPU %': ((idle.cpu / idle.wall) * 100).toFixed(2),
      'CPU % (whole window)': ((((total.user + total.system) / 1000) / wall) * 100).toFixed(1),
    };
  } finally {
    await rota.stop({ graceMs: 0 });
    await database.drop();
  }
}

/** BENCH_PROFILE=prefix: a CPU profile of the measured window only (`prefix-<dialect>.cpuprofile`). */
async function startProfile() {
  const prefix = process.env.BENCH_PROFILE;
  if (!prefix) return null;
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stop: async (name: string) => {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(`${prefix}-${name}.cpuprofile`, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const results: Record<string, unknown>[] = [];
for (const dialect of (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[]) {
  results.push(await bench(dialect));
  console.log(JSON.stringify(results[results.length - 1]));
}
console.table(results);
