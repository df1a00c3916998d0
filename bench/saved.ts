/**
 * `BENCH_ONLY=saved npm run bench`: planning steps and saved workflows.
 *
 * On each database (BENCH_DIALECTS, default sqlite,postgres), with the LLM stand-in answering a
 * plan of BENCH_PLAN_STEPS (default 50) chained `set` steps:
 * - a planner run end to end (model call, the plan checked and joined, its steps run) against a
 *   declared definition of the same steps, median of 10 each;
 * - `save-as-automation` of that run, dry run and real, median of 10;
 * - closed-loop throughput of runs of the saved automation against the declared twin, 200 runs
 *   each with 8 in flight: a saved workflow is an ordinary definition, so they should match.
 */
import { createRota, type Rota } from '../src/node/rota.js';
import { startLlmStandIn } from '../src/testing/llm-stand-in.js';
import { benchDatabase } from './database.js';

const STEPS = Number(process.env.BENCH_PLAN_STEPS ?? 50);
const RUNS = 200;
const IN_FLIGHT = 8;

const planned = Array.from({ length: STEPS }, (_, i) => ({ id: `s${i}`, action: 'set', with: { n: i, prev: i === 0 ? null : `{{ steps.s${i - 1}.output.n }}` } }));
const declared = Array.from({ length: STEPS }, (_, i) => ({ id: `s${i}`, action: 'set', with: { n: i, prev: i === 0 ? null : `{{ steps.s${i - 1}.output.n }}` } }));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function runToEnd(rota: Rota, ws: string, name: string, inputs: Record<string, unknown> = {}): Promise<number> {
  const t0 = performance.now();
  const { run } = await rota.runs.start(ws, name, { inputs });
  const done = await rota.runs.wait(ws, run.id, 60_000);
  if (done.status !== 'succeeded') throw new Error(`${name}: ${done.status} ${JSON.stringify(done.error)}`);
  return performance.now() - t0;
}

async function throughput(rota: Rota, ws: string, name: string): Promise<number> {
  let started = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (started < RUNS) {
        started++;
        await runToEnd(rota, ws, name);
      }
    }),
  );
  return RUNS / ((performance.now() - t0) / 1000);
}

const llm = await startLlmStandIn();
llm.script(() => ({ text: JSON.stringify({ steps: planned, summary: 'a chain' }) }));
const results: Record<string, unknown>[] = [];
try {
  for (const dialect of (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as ('sqlite' | 'postgres')[]) {
    const database = await benchDatabase(dialect, 'saved');
    const rota = await createRota({
      config: {
        dataDir: database.dataDir,
        databaseUrl: database.url,
        logLevel: 'error',
        retention: { enabled: false },
        providers: { stand_in: { kind: 'openai_compatible', baseUrl: llm.openaiBaseUrl, apiKeyEnv: null, headers: {} } },
        models: { default: { model: 'stand_in:bench', price: { input: 0, output: 0 } } },
        worker: { concurrency: 10, leaseMs: 30_000, pollMs: 1_000, shutdownGraceMs: 1_000, enabled: true },
      },
    });
    try {
      await rota.bootstrap();
      await rota.start();
      const ws = (await rota.workspaces.ensure('default')).id;
      const keep = { retention: { max_runs: 0, max_age: '0s' } };
      await rota.automations.apply(ws, { name: 'planner', execution: keep, steps: [{ id: 'plan', action: 'agent', with: { prompt: 'Plan it', plan: { allow: ['set'], max_steps: STEPS } } }] });
      await rota.automations.apply(ws, { name: 'declared', execution: keep, steps: declared });
      for (let i = 0; i < 3; i++) await runToEnd(rota, ws, 'planner');
      const planning: number[] = [];
      const plain: number[] = [];
      for (let i = 0; i < 10; i++) {
        planning.push(await runToEnd(rota, ws, 'planner'));
        plain.push(await runToEnd(rota, ws, 'declared'));
      }
      const source = (await rota.runs.list(ws, { automation: 'planner', limit: 1 })).items[0]!;
      const dry: number[] = [];
      const save: number[] = [];
      for (let i = 0; i < 10; i++) {
        let t0 = performance.now();
        await rota.runs.saveAsAutomation(ws, source.id, { name: `saved-${i}`, dry_run: true });
        dry.push(performance.now() - t0);
        t0 = performance.now();
        await rota.runs.saveAsAutomation(ws, source.id, { name: `saved-${i}` });
        save.push(performance.now() - t0);
      }
      const savedRate = await throughput(rota, ws, 'saved-0');
      const declaredRate = await throughput(rota, ws, 'declared');
      results.push({
        dialect,
        'plan steps': STEPS,
        'planner run ms (p50)': median(planning).toFixed(1),
        'declared run ms (p50)': median(plain).toFixed(1),
        'save dry-run ms (p50)': median(dry).toFixed(1),
        'save ms (p50)': median(save).toFixed(1),
        'saved runs/s': savedRate.toFixed(1),
        'declared runs/s': declaredRate.toFixed(1),
      });
    } finally {
      await rota.stop({ graceMs: 1_000 });
      await database.drop();
    }
  }
} finally {
  await llm.close();
}
console.log(`\nsaved workflows (${STEPS} planned set steps; throughput: ${RUNS} runs, ${IN_FLIGHT} in flight)`);
console.table(results);
