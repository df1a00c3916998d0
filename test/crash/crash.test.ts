/**
 * Crash safety against the real server process: start many runs of a multi-step `http` automation,
 * SIGKILL `rota serve` at random moments and restart it on the same data dir / database, then check
 * every run ends `succeeded`, every step reached the recorder, and no completed step ran again
 * (a re-execution is only allowed for the in-flight step, with the same idempotency key).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createPostgresSchema } from '../support/postgres.js';
import { servedApi, startServe, tempDir, type Served } from '../cli/serve.js';

const RUNS = 50;
const KILLS = 5;
const STEPS = ['s1', 's2', 's3', 's4'];
const SETTLE_MS = 60_000;

type Dialect = 'sqlite' | 'postgres';

interface Hit {
  runId: string;
  stepId: string;
  key: string;
  attempt: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

async function startRecorder(): Promise<{ server: Server; port: number; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const [, runId = '', stepId = ''] = (req.url ?? '').split('?')[0]!.split('/');
    const key = String(req.headers['idempotency-key'] ?? '');
    hits.push({ runId, stepId, key, attempt: String(req.headers['rota-attempt'] ?? '') });
    req.resume();
    req.on('end', () => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, step: stepId }));
      }, between(5, 40));
    });
  });
  // a killed server leaves sockets half-open; never let them keep the test alive
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, hits };
}


for (const dialect of ['sqlite', 'postgres'] as Dialect[]) {
  describe(`crash safety (${dialect}, real server, SIGKILL)`, () => {
    const token = `rota_${randomBytes(16).toString('hex')}`;
    const dataDir = tempDir('rota-crash-');
    let recorder: Awaited<ReturnType<typeof startRecorder>>;
    let schema: Awaited<ReturnType<typeof createPostgresSchema>> | null = null;
    let served: Served | null = null;
    let env: Record<string, string>;

    const boot = async () => {
      served = await startServe({ dataDir, adminToken: token, env });
      return served;
    };
    const api = servedApi(() => served, token);

    before(async () => {
      recorder = await startRecorder();
      if (dialect === 'postgres') schema = await createPostgresSchema();
      env = {
        ROTA_HTTP_ALLOWLIST: '127.0.0.1',
        ROTA_LEASE_MS: '1500',
        ...(schema ? { ROTA_DATABASE_URL: schema.url } : {}),
      };
    });

    after(async () => {
      if (served) await served.stop(2_000).catch(() => undefined);
      recorder?.server.closeAllConnections();
      await new Promise((r) => recorder?.server.close(r) ?? r(undefined));
      if (schema) await schema.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test(`${RUNS} runs survive ${KILLS} SIGKILLs: all succeed, no completed step runs again`, { timeout: 90_000 }, async () => {
      const t0 = Date.now();
      await boot();
      const name = 'crashy';
      const created = await api('POST', '/automations', {
        name,
        steps: STEPS.map((id) => ({
          id,
          action: 'http',
          with: { method: 'POST', url: `http://127.0.0.1:${recorder.port}/{{ run.id }}/${id}`, body: { step: id } },
        })),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));

      // start the runs (10 at a time) while the killer is already at work: a start that hits a dead
      // server is retried with the same Idempotency-Key, so a start whose answer was lost is not doubled
      const runIds: string[] = new Array(RUNS);
      let starting = true;
      const startOne = async (i: number) => {
        for (;;) {
          try {
            const started = await api('POST', `/automations/${name}/runs`, { inputs: {} }, { 'idempotency-key': `crash-start-${i}` });
            if (started.status !== 201 && started.status !== 200) throw new Error(`start: ${started.status} ${JSON.stringify(started.body)}`);
            runIds[i] = started.body.run?.id ?? started.body.id;
            return;
          } catch (error) {
            if (error instanceof Error && error.message.startsWith('start:')) throw error;
            await sleep(50); // server down: wait for the restart
          }
        }
      };
      const starter = (async () => {
        for (let i = 0; i < RUNS; i += 10) await Promise.all(Array.from({ length: Math.min(10, RUNS - i) }, (_, j) => startOne(i + j)));
        starting = false;
      })();

      let kills = 0;
      const downtimes: number[] = [];
      while (kills < KILLS || (starting && kills < 3 * KILLS)) {
        await sleep(between(50, 400));
        const victim = served!;
        victim.kill('SIGKILL');
        const exit = await victim.wait();
        assert.equal(exit.signal, 'SIGKILL');
        kills++;
        const down = Date.now();
        await boot();
        downtimes.push(Date.now() - down);
      }
      await starter;
      assert.ok(kills >= KILLS);
      assert.ok(runIds.every((id) => typeof id === 'string' && id.length > 0), 'every start returned a run id');
      const tKilled = Date.now();

      // every run terminal, bounded
      const deadline = Date.now() + SETTLE_MS;
      let runs: any[] = [];
      for (;;) {
        runs = await Promise.all(runIds.map(async (id) => (await api('GET', `/runs/${id}`)).body));
        const active = runs.filter((r) => ['queued', 'running', 'waiting', 'pending'].includes(r?.status ?? r?.run?.status));
        if (active.length === 0) break;
        if (Date.now() > deadline) assert.fail(`${active.length} runs not terminal after ${SETTLE_MS}ms: ${active.slice(0, 5).map((r) => `${r.id}:${r.status}`).join(', ')}`);
        await sleep(250);
      }
      const tSettled = Date.now();

      // all runs exist and succeeded; none stuck
      assert.equal(runs.length, runIds.length);
      assert.ok(runIds.length >= RUNS);
      for (const [i, r] of runs.entries()) {
        const run = r?.run ?? r;
        assert.ok(run && run.id === runIds[i], `run ${runIds[i]} exists: ${JSON.stringify(r)}`);
        assert.equal(run.status, 'succeeded', `run ${run.id}: ${JSON.stringify(run.error ?? run)}`);
      }

      // the recorder saw every step of every run; a (run, step) requested twice used one key
      const byStep = new Map<string, Hit[]>();
      for (const hit of recorder.hits) {
        const k = `${hit.runId}/${hit.stepId}`;
        byStep.set(k, [...(byStep.get(k) ?? []), hit]);
      }
      let reExecutions = 0;
      for (const runId of runIds) {
        for (const stepId of STEPS) {
          const hits = byStep.get(`${runId}/${stepId}`) ?? [];
          assert.ok(hits.length >= 1, `recorder never saw ${runId}/${stepId}`);
          const keys = new Set(hits.map((h) => h.key));
          for (const key of keys) assert.equal(key, `${runId}:${stepId}`, `idempotency key of ${runId}/${stepId}`);
          // the key is one per step; a re-execution after a crash keeps the attempt it had (Rota-Attempt)
          assert.ok(hits.every((h) => /^\d+$/.test(h.attempt)), `Rota-Attempt of ${runId}/${stepId}`);
          const attempts = new Set(hits.map((h) => h.attempt));
          assert.equal(attempts.size, 1, `${runId}/${stepId} was executed at different attempts (a completed or re-attempted step ran again): ${[...attempts].join(', ')}`);
          if (hits.length > 1) reExecutions++;
        }
      }

      // events: each step succeeded exactly once
      for (const runId of runIds) {
        const events = await api('GET', `/runs/${runId}/events?limit=1000`);
        assert.equal(events.status, 200);
        const items = events.body.items as Array<{ type: string; step_id: string | null }>;
        for (const stepId of STEPS) {
          const succeeded = items.filter((e) => e.type === 'step.succeeded' && e.step_id === stepId).length;
          assert.equal(succeeded, 1, `${runId}/${stepId}: step.succeeded ${succeeded} times; events: ${items.map((e) => `${e.type}:${e.step_id ?? ''}`).join(' ')}`);
        }
      }

      // no run was created twice by a retried start
      const listed = await api('GET', `/runs?automation=${name}&limit=200`);
      assert.equal(listed.status, 200);
      assert.equal(new Set(runIds).size, RUNS, 'distinct run ids');
      assert.equal(listed.body.total ?? listed.body.items.length, RUNS, 'runs of the automation');

      console.log(
        `[crash ${dialect}] runs=${runIds.length} kills=${kills} restart(ms)=${downtimes.join('/')} ` +
          `chaos=${tKilled - t0}ms settle=${tSettled - tKilled}ms total=${Date.now() - t0}ms ` +
          `requests=${recorder.hits.length} in-flight re-executions=${reExecutions}`,
      );
    });
  });
}
