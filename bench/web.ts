/**
 * `BENCH_ONLY=web npm run bench`: the web UI in headless Chromium (Debian's, or ROTA_CHROMIUM)
 * against a node serving the built UI (`dist/web`) and its API over loopback, on SQLite (or each of
 * BENCH_DIALECTS).
 *
 * - first load: what the browser fetched over the wire (gzipped, as served) to show the Automations
 *   page signed in: the page, its scripts and stylesheets; and the whole build gzipped.
 * - run detail of a 500-step run: from navigation to interactive, i.e. the step list shown and a
 *   click on the last step answered with that step's output; median and max of BENCH_WEB_LOADS
 *   (default 5) fresh browser contexts (empty cache).
 * - explorer through BENCH_WEB_RUNS (default 100,000) runs: every page from the first to the last
 *   with "Next page" (50 per page), each counted from the click until the page's rows are shown;
 *   the whole walk, p50/p99/max per page.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { createApi, serveApi } from '../src/api/server.js';
import { findWebRoot } from '../src/api/web-ui.js';
import { createClient, type RotaClient } from '../src/client/index.js';
import { createRota } from '../src/node/rota.js';
import { benchDatabase } from './database.js';
import { seedRuns } from './seed-runs.js';
import { median } from './workload.js';

const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 100_000);
const LOADS = Number(process.env.BENCH_WEB_LOADS ?? 5);
const STEPS = 500;
const DIALECTS = (process.env.BENCH_DIALECTS ?? 'sqlite').split(',') as ('sqlite' | 'postgres')[];
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

const webRoot = findWebRoot();
if (!webRoot) throw new Error('the web UI is not built: run npm run build');

function pct(samples: number[], q: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function buildSize(): { files: number; raw: number; gzipped: number } {
  let raw = 0;
  let gzipped = 0;
  const files = readdirSync(join(webRoot!, 'assets'));
  for (const name of files) {
    const body = readFileSync(join(webRoot!, 'assets', name));
    raw += body.length;
    gzipped += gzipSync(body).length;
  }
  return { files: files.length, raw, gzipped };
}

async function context(browser: Browser, url: string, token: string) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // signed in as the sign-in form leaves it: the token in local storage
  await ctx.addInitScript(`localStorage.setItem('rota.token', ${JSON.stringify(token)})`);
  return ctx;
}

async function firstLoad(browser: Browser, url: string, token: string): Promise<{ requests: number; bytes: number; scripts: number }> {
  const ctx = await context(browser, url, token);
  const page = await ctx.newPage();
  const assets: { type: string; bytes: number }[] = [];
  page.on('requestfinished', (request) => {
    const type = request.resourceType();
    if (type === 'document' || type === 'script' || type === 'stylesheet') {
      void request.sizes().then((sizes) => assets.push({ type, bytes: sizes.responseBodySize + sizes.responseHeadersSize }));
    }
  });
  await page.goto(`${url}/`);
  await page.getByRole('heading', { name: 'Automations' }).first().waitFor();
  await page.waitForLoadState('networkidle');
  await ctx.close();
  return { requests: assets.length, bytes: assets.reduce((a, b) => a + b.bytes, 0), scripts: assets.filter((a) => a.type === 'script').length };
}

async function manyStepRun(client: RotaClient): Promise<string> {
  const steps = Array.from({ length: STEPS }, (_, i) => ({ id: `step-${i + 1}`, action: 'set', with: { index: i + 1, note: `step ${i + 1} of ${STEPS}` }, ...(i > 0 ? { needs: [`step-${i}`] } : {}) }));
  await client.automations.apply('bench-500-steps', { name: 'bench-500-steps', steps });
  const { run } = await client.automations.run('bench-500-steps', { wait: '5m' });
  if (run.status !== 'succeeded') throw new Error(`the 500-step run ended ${run.status}`);
  return run.id;
}

async function runDetail(browser: Browser, url: string, token: string, runId: string): Promise<number> {
  const ctx = await context(browser, url, token);
  const page = await ctx.newPage();
  const t0 = performance.now();
  await page.goto(`${url}/runs/${runId}`);
  await page.getByRole('list', { name: `Steps (${STEPS})` }).waitFor();
  await page.locator('.rota-tl-scroll').evaluate((el: { scrollTop: number; scrollHeight: number }) => {
    el.scrollTop = el.scrollHeight;
  });
  await page.locator(`[data-step="step-${STEPS}"]`).click();
  await page.getByLabel(`Output of step-${STEPS}`).getByText(`"index": ${STEPS}`).waitFor();
  const ms = performance.now() - t0;
  await ctx.close();
  return ms;
}

async function explorer(browser: Browser, url: string, token: string, total: number): Promise<{ pages: number; seconds: number; p50: number; p99: number; max: number }> {
  const ctx = await context(browser, url, token);
  const page = await ctx.newPage();
  await page.goto(`${url}/runs`);
  const firstRow = page.getByTestId('run-row').first();
  await firstRow.waitFor();
  const next = page.getByTestId('runs-next-page');
  const times: number[] = [];
  const t0 = performance.now();
  let seen = await page.getByTestId('run-row').count();
  while (await next.isEnabled()) {
    const before = await firstRow.getAttribute('data-run-id');
    const t = performance.now();
    await next.click();
    await page.waitForFunction(
      (id) => {
        const row = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document.querySelector('[data-testid="run-row"]');
        return row !== null && row.getAttribute('data-run-id') !== id;
      },
      before,
      { polling: 'raf' },
    );
    times.push(performance.now() - t);
    seen += await page.getByTestId('run-row').count();
    if (times.length % 200 === 0) console.log(`  page ${times.length + 1}: the last 200 pages took p50 ${pct(times.slice(-200), 0.5).toFixed(0)} ms per page`);
  }
  const seconds = (performance.now() - t0) / 1000;
  await ctx.close();
  if (seen !== total) throw new Error(`paged through ${seen} runs, the server holds ${total}`);
  return { pages: times.length + 1, seconds, p50: pct(times, 0.5), p99: pct(times, 0.99), max: Math.max(...times) };
}

const build = buildSize();
console.log(`web UI build: ${build.files} files, ${kb(build.raw)} raw, ${kb(build.gzipped)} gzipped`);
const browser = await chromium.launch({ executablePath: process.env.ROTA_CHROMIUM ?? '/usr/bin/chromium', args: ARGS, headless: true });
try {
  for (const dialect of DIALECTS) {
    const database = await benchDatabase(dialect, 'web');
    const rota = await createRota({
      config: { dataDir: database.dataDir, databaseUrl: database.url, logLevel: 'error', retention: { enabled: false }, scheduler: { enabled: false }, worker: { concurrency: 8, leaseMs: 30_000, pollMs: 1_000, shutdownGraceMs: 1_000, enabled: true } },
    });
    try {
      const { adminToken } = await rota.bootstrap();
      const ws = (await rota.workspaces.ensure('default')).id;
      await rota.start();
      const app = createApi(rota, { maxBodyBytes: rota.config.maxBodyBytes, defaultWorkspace: rota.config.defaultWorkspace, webRoot });
      const server = await serveApi(app, { host: '127.0.0.1', port: 0 });
      const client = createClient({ url: server.url, token: adminToken! });
      try {
        const runId = await manyStepRun(client);
        const seedS = await seedRuns(rota, ws, RUNS, Date.now());
        const total = (await client.runs.list({ limit: 1 })).total;
        const load = await firstLoad(browser, server.url, adminToken!);
        console.log(`[${dialect}] first load of the Automations page: ${load.requests} files (${load.scripts} scripts), ${kb(load.bytes)} over the wire (target < 400 KB)`);
        const detail: number[] = [];
        for (let i = 0; i < LOADS; i++) detail.push(await runDetail(browser, server.url, adminToken!, runId));
        console.log(`[${dialect}] run detail of a ${STEPS}-step run until the last step's output is shown: median ${median(detail).toFixed(0)} ms, max ${Math.max(...detail).toFixed(0)} ms (${LOADS} fresh loads)`);
        console.log(`[${dialect}] seeded ${RUNS} runs in ${seedS.toFixed(1)} s; paging through ${total} in the explorer...`);
        const walk = await explorer(browser, server.url, adminToken!, total);
        console.log(`[${dialect}] explorer through ${total} runs: ${walk.pages} pages in ${walk.seconds.toFixed(1)} s; per page p50 ${walk.p50.toFixed(0)} ms, p99 ${walk.p99.toFixed(0)} ms, max ${walk.max.toFixed(0)} ms`);
      } finally {
        await server.close();
      }
    } finally {
      await rota.stop({ graceMs: 0 });
      await database.drop();
    }
  }
} finally {
  await browser.close();
}
