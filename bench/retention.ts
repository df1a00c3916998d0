/**
 * `BENCH_ONLY=retention npm run bench`: the retention sweeper pruning a large history.
 *
 * On each database: BENCH_RETENTION_RUNS (default 200,000) terminal 3-step runs inserted straight
 * through the store's batch insert (not executed) for an automation whose policy keeps 100, then
 * one sweep with the default batch size and pause. Reported: runs deleted per second; the p99
 * latency of 1-step runs started by hand (start → terminal) while the sweep runs, against the
 * same measured before it in the same session; the SQLite file size before and after.
 * BENCH_DIALECTS (default sqlite,postgres).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { internalsOf } from '../src/testing/index.js';
import { createRota, type Rota } from '../src/node/rota.js';
import { insertRuns, type RunInsert } from '../src/store/run-insert.js';
import { benchDatabase } from './database.js';

const RUNS = Number(process.env.BENCH_RETENTION_RUNS ?? 200_000);
const BASELINE = 300;

function historyRun(a: { id: string; ws: string }, i: number, now: number): RunInsert {
  const id = `h${i.toString(36).padStart(8, '0')}`;
  const at = now - 3_600_000 + Math.floor((i / RUNS) * 3_500_000);
  const steps = ['a', 'b', 'c'].map((s, k) => ({ run_id: id, step_id: s, idx: k, status: 'succeeded' as const, attempt: 1, started_at: at - 5, ended_at: at, input: '{"v":1}', output: '{"v":1}', cost_usd: 0 }));
  return {
    run: {
      id, workspace_id: a.ws, automation_id: a.id, automation_name: 'history', version: 1, trigger_id: 'manual', trigger_kind: 'manual', activation: '{}', inputs: '{}',
      status: 'succeeded', attempt: 1, queued_at: at - 10, started_at: at - 8, ended_at: at, output: '{"v":1}', cost_usd: 0, tokens: 0, timeout_ms: 600_000,
      event_seq: 3, cancel_requested: 0, pinned: 0, updated_at: at, depth: 0, claim_at: null,
    },
    steps,
    events: ['run.queued', 'run.started', 'run.succeeded'].map((type, k) => ({ run_id: id, seq: k + 1, type: type as 'run.queued', step_id: null, data: null, idempotency_key: `${type}:${id}`, created_at: at })),
  };
}

async function seed(rota: Rota, ws: string): Promise<number> {
  const { store } = internalsOf(rota);
  const a = { id: (await rota.automations.get(ws, 'history')).id, ws };
  const now = Date.now();
  const t0 = performance.now();
  for (let i = 0; i < RUNS; i += 2_000) {
    const items = Array.from({ length: Math.min(2_000, RUNS - i) }, (_, k) => historyRun(a, i + k, now));
    await store.db.transaction().execute(async (tx) => {
      for (let k = 0; k < items.length; k += 500) await insertRuns(tx, store.dialect, items.slice(k, k + 500));
    });
  }
  return (performance.now() - t0) / 1000;
}

function waitTerminal(rota: Rota, runId: string): Promise<void> {
  return new Promise((resolve) => {
    const off = internalsOf(rota).context.notifier.subscribe(runId, (events) => {
      if (events.some((e) => e.type === 'run.succeeded' || e.type === 'run.failed')) {
        off();
        resolve();
      }
    });
    // the run may have ended before the subscription
    void internalsOf(rota).store.db.selectFrom('runs').select('status').where('id', '=', runId).executeTakeFirst().then((row) => {
      if (row && row.status !== 'queued' && row.status !== 'running') {
        off();
        resolve();
      }
    });
  });
}

async function oneRun(rota: Rota, ws: string): Promise<number> {
  const t0 = performance.now();
  const { run } = await rota.runs.start(ws, 'noop1', {});
  if (run.status !== 'succeeded') await waitTerminal(rota, run.id);
  return performance.now() - t0;
}

function p(samples: number[], q: number): number {
  const s = [...samples].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

function dbSize(dataDir: string): number {
  const size = (f: string) => {
    try {
      return statSync(join(dataDir, f)).size;
    } catch {
      return 0;
    }
  };
  return size('rota.db') + size('rota.db-wal');
}

const results: Record<string, unknown>[] = [];
for (const dialect of (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[]) {
  const database = await benchDatabase(dialect, 'retention');
  const rota = await createRota({
    config: { dataDir: database.dataDir, databaseUrl: database.url, logLevel: 'error', retention: { enabled: false }, worker: { concurrency: 10, leaseMs: 30_000, pollMs: 1_000, shutdownGraceMs: 1_000, enabled: true } },
  });
  try {
    await rota.bootstrap();
    await rota.start();
    const ws = (await rota.workspaces.ensure('default')).id;
    await rota.automations.apply(ws, { name: 'history', execution: { retention: { max_runs: 100, max_age: '30d' } }, steps: ['a', 'b', 'c'].map((id) => ({ id, action: 'set', with: { v: 1 } })) });
    await rota.automations.apply(ws, { name: 'noop1', execution: { retention: { max_runs: 0, max_age: '0s' } }, steps: [{ id: 'a', action: 'set', with: { v: 1 } }] });
    const seedS = await seed(rota, ws);
    const { store, sweeper } = internalsOf(rota);
    if (dialect === 'sqlite') await sql.raw('PRAGMA wal_checkpoint(TRUNCATE)').execute(store.db);
    else await sql.raw('ANALYZE').execute(store.db);
    const before = dbSize(database.dataDir);
    for (let i = 0; i < 20; i++) await oneRun(rota, ws);
    const quiet: number[] = [];
    for (let i = 0; i < BASELINE; i++) quiet.push(await oneRun(rota, ws));
    const during: number[] = [];
    let done = false;
    const t0 = performance.now();
    const sweep = sweeper.sweep().finally(() => (done = true));
    while (!done) during.push(await oneRun(rota, ws));
    const result = await sweep;
    const sweepS = (performance.now() - t0) / 1000;
    const deleted = result.runs.age + result.runs.count + result.runs.keep_failed;
    if (dialect === 'sqlite') await sql.raw('PRAGMA wal_checkpoint(TRUNCATE)').execute(store.db);
    const after = dbSize(database.dataDir);
    results.push({
      dialect,
      'runs seeded': RUNS,
      'seed s': seedS.toFixed(1),
      'runs deleted': deleted,
      'sweep s': sweepS.toFixed(1),
      'deleted/s': Math.round(deleted / sweepS),
      'p99 quiet ms': p(quiet, 0.99).toFixed(2),
      'p99 sweeping ms': p(during, 0.99).toFixed(2),
      'p99 ratio': (p(during, 0.99) / p(quiet, 0.99)).toFixed(2),
      'samples sweeping': during.length,
      'file MB before': dialect === 'sqlite' ? (before / 1024 / 1024).toFixed(1) : '-',
      'file MB after': dialect === 'sqlite' ? (after / 1024 / 1024).toFixed(1) : '-',
    });
  } finally {
    await rota.stop({ graceMs: 1_000 });
    await database.drop();
  }
}
console.log('\nretention sweeper');
console.table(results);
