/**
 * `BENCH_ONLY=web-runs npm run bench`: the runs explorer's API at 100,000 runs.
 *
 * On each database: BENCH_WEB_RUNS (default 100,000) runs of 5 automations, 3 triggers and every
 * status (10% failed, with error texts), queued over 30 days, inserted straight through the store's
 * batch insert (not executed). Then `GET /api/v1/runs` through the typed client over HTTP, page
 * after page (BENCH_WEB_RUNS_PAGE, default 50) through ALL pages, for each filter the explorer
 * offers. Reported per filter: pages, total, p50/p95/max ms per page, and the first and last page
 * (a keyset page deep in the history must cost what the first one does). With BENCH_EXPLAIN=1,
 * the plan of each filter's page and count query. BENCH_WEB_RUNS_FILTERS picks filters by name;
 * BENCH_DIALECTS (default sqlite,postgres).
 */
import { sql, type Compilable } from 'kysely';
import { createApi, serveApi } from '../src/api/server.js';
import { createClient, type RunListQuery } from '../src/client/index.js';
import { createRota } from '../src/node/rota.js';
import { RunStatus } from '../src/states.js';
import type { Store } from '../src/store/connect.js';
import { filteredRuns, type RunFilter } from '../src/store/runs.js';
import { internalsOf } from '../src/testing/index.js';
import { benchDatabase } from './database.js';
import { seedRuns } from './seed-runs.js';

const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 100_000);
const PAGE = Number(process.env.BENCH_WEB_RUNS_PAGE ?? 50);
const EXPLAIN = process.env.BENCH_EXPLAIN === '1';
/** BENCH_WEB_RUNS_FILTERS: a comma list of the filter names below (default: all) */
const ONLY = process.env.BENCH_WEB_RUNS_FILTERS?.split(',');
const DAY = 86_400_000;
interface Filter {
  name: string;
  query: RunListQuery;
  store: RunFilter;
}

function filters(now: number): Filter[] {
  const since = new Date(now - 7 * DAY).toISOString();
  return [
    { name: 'none', query: {}, store: {} },
    { name: 'automation', query: { automation: 'triage' }, store: { automation: 'triage' } },
    { name: 'status=failed', query: { status: 'failed' }, store: { status: [RunStatus.failed] } },
    { name: 'status=queued (rare)', query: { status: 'queued' }, store: { status: [RunStatus.queued] } },
    { name: 'automation+failed', query: { automation: 'triage', status: 'failed' }, store: { automation: 'triage', status: [RunStatus.failed] } },
    { name: 'failed,timed_out', query: { status: 'failed,timed_out' }, store: { status: [RunStatus.failed, RunStatus.timed_out] } },
    { name: 'trigger', query: { trigger: 'nightly' }, store: { trigger_id: 'nightly' } },
    { name: 'last 7 days', query: { since }, store: { since: Date.parse(since) } },
    { name: 'error text', query: { q: 'quota exceeded' }, store: { error_text: 'quota exceeded' } },
    { name: 'failed+error text', query: { status: 'failed', q: 'quota exceeded' }, store: { status: [RunStatus.failed], error_text: 'quota exceeded' } },
  ].filter((f) => !ONLY || ONLY.includes(f.name));
}

async function explain(store: Store, query: Compilable): Promise<string> {
  const compiled = query.compile();
  const prefix = store.dialect === 'sqlite' ? 'EXPLAIN QUERY PLAN ' : 'EXPLAIN ';
  const { rows } = await sql.raw(prefix + inline(compiled.sql, compiled.parameters, store.dialect)).execute(store.db);
  return rows.map((r) => (store.dialect === 'sqlite' ? (r as { detail: string }).detail : (r as { 'QUERY PLAN': string })['QUERY PLAN'])).join('\n    ');
}

/** EXPLAIN takes no bound parameters on either database here: the values written into the text. */
function inline(text: string, params: readonly unknown[], dialect: string): string {
  const quote = (v: unknown) => (typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`);
  if (dialect === 'sqlite') {
    let i = 0;
    return text.replace(/\?/g, () => quote(params[i++]));
  }
  return text.replace(/\$(\d+)/g, (_, n: string) => quote(params[Number(n) - 1]));
}

function pct(samples: number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const results: Record<string, unknown>[] = [];
for (const dialect of (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[]) {
  const database = await benchDatabase(dialect, 'webruns');
  const rota = await createRota({
    config: { dataDir: database.dataDir, databaseUrl: database.url, logLevel: 'error', retention: { enabled: false }, worker: { enabled: false }, scheduler: { enabled: false } },
  });
  try {
    const { adminToken } = await rota.bootstrap();
    const ws = (await rota.workspaces.ensure('default')).id;
    const { store } = internalsOf(rota);
    const now = Date.now();
    const seedS = await seedRuns(rota, ws, RUNS, now);
    // what autovacuum does after a burst of inserts: statistics, and the visibility map index-only scans need
    if (dialect === 'postgres') await sql.raw('VACUUM ANALYZE runs').execute(store.db);
    else await sql.raw('ANALYZE').execute(store.db);
    const app = createApi(rota, { maxBodyBytes: rota.config.maxBodyBytes, defaultWorkspace: rota.config.defaultWorkspace });
    const server = await serveApi(app, { host: '127.0.0.1', port: 0 });
    const client = createClient({ url: server.url, token: adminToken! });
    try {
      // a cursor half-way through the history, for the plan of a page deep in it
      const middle = (await store.db.selectFrom('runs').select('id').orderBy('id').offset(Math.floor(RUNS / 2)).limit(1).executeTakeFirstOrThrow()).id;
      for (const f of filters(now)) {
        if (EXPLAIN) {
          const first = filteredRuns(store.db, ws, f.store).selectAll().orderBy('id', 'desc').limit(PAGE + 1);
          const deep = first.where('id', '<', middle);
          const count = filteredRuns(store.db, ws, f.store).select((eb) => eb.fn.countAll().as('n'));
          console.log(`\n[${dialect}] ${f.name}\n  first page: ${await explain(store, first)}\n  later page: ${await explain(store, deep)}\n  count: ${await explain(store, count)}`);
        }
        const times: number[] = [];
        let cursor: string | null = null;
        let total = 0;
        let seen = 0;
        do {
          const t0 = performance.now();
          const page = await client.runs.list({ ...f.query, cursor, limit: PAGE });
          times.push(performance.now() - t0);
          total = page.total;
          seen += page.items.length;
          cursor = page.next_cursor;
        } while (cursor);
        if (seen !== total) throw new Error(`${f.name}: paged through ${seen} runs, the total said ${total}`);
        results.push({
          dialect,
          filter: f.name,
          runs: total,
          pages: times.length,
          'p50 ms': pct(times, 0.5).toFixed(1),
          'p95 ms': pct(times, 0.95).toFixed(1),
          'max ms': Math.max(...times).toFixed(1),
          'first ms': times[0]!.toFixed(1),
          'last ms': times[times.length - 1]!.toFixed(1),
          'all pages s': (times.reduce((a, b) => a + b, 0) / 1000).toFixed(1),
        });
      }
    } finally {
      await server.close();
    }
    console.log(`\n[${dialect}] seeded ${RUNS} runs in ${seedS.toFixed(1)} s`);
  } finally {
    await rota.stop({ graceMs: 0 });
    await database.drop();
  }
}
console.log(`\nruns explorer: GET /api/v1/runs, ${PAGE} per page, through every page`);
console.table(results);
