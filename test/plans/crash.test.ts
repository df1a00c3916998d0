/**
 * Saved workflows against the real server, SIGKILLed: a run killed right after its plan was
 * accepted resumes the planned steps without calling the planner again, and runs of a saved
 * automation started while the server dies are each created exactly once per idempotency key.
 */
import { createPostgresSchema } from '../support/postgres.js';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { servedApi, startServe, tempDir, type Served } from '../cli/serve.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';
import { eventually } from '../support/node.js';
import { PLAN, plannerDefinition } from './fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STARTS = 24;

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`saved workflows crash safety (${dialect}, real server, SIGKILL)`, () => {
    const token = `rota_${randomBytes(16).toString('hex')}`;
    const dataDir = tempDir('rota-plan-crash-');
    let llm: StandIn;
    let schema: Awaited<ReturnType<typeof createPostgresSchema>> | null = null;
    let served: Served | null = null;
    let env: Record<string, string>;
    let plannerCalls = 0;
    /** while set, the planned agent step's model call hangs (the server is killed under it) */
    let hang = false;
    let hung = 0;
    const boot = async () => (served = await startServe({ dataDir, adminToken: token, env }));
    const api = servedApi(() => served, token);
    const kill = async () => {
      const victim = served!;
      victim.kill('SIGKILL');
      assert.equal((await victim.wait()).signal, 'SIGKILL');
    };

    before(async () => {
      llm = await startStandIn();
      llm.script(async (request) => {
        if ((request.system ?? '').includes('planning step')) {
          plannerCalls++;
          return { text: JSON.stringify(PLAN) };
        }
        if (hang) {
          hung++;
          await sleep(30_000);
        }
        return { text: 'the digest' };
      });
      if (dialect === 'postgres') schema = await createPostgresSchema();
      writeFileSync(
        join(dataDir, 'rota.config.yaml'),
        ['providers:', `  stand_in: { kind: openai_compatible, base_url: "${llm.openaiBaseUrl}" }`, 'models:', '  default: { model: "stand_in:plan-model", price: { input: 1, output: 2 } }'].join('\n'),
      );
      env = { ROTA_LEASE_MS: '1500', ...(schema ? { ROTA_DATABASE_URL: schema.url } : {}) };
    });

    after(async () => {
      if (served) await served.stop(2_000).catch(() => undefined);
      await llm?.close();
      if (schema) await schema.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('killed right after planning: the planned steps resume, the planner is not called again', { timeout: 90_000 }, async () => {
      await boot();
      const name = 'crash-planner';
      const created = await api('POST', '/automations', plannerDefinition(name));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      hang = true;
      const started = await api('POST', `/automations/${name}/runs`, { inputs: { topic: 'rust' } }, { 'idempotency-key': 'plan-crash' });
      assert.equal(started.status, 201, JSON.stringify(started.body));
      const runId: string = started.body.id ?? started.body.run.id;
      // the plan is committed and its agent step is in flight at the provider
      await eventually(async () => {
        const run = (await api('GET', `/runs/${runId}`)).body;
        const step = (id: string) => run.steps.find((s: { id: string }) => s.id === id);
        return step('research')?.status === 'succeeded' && step('research.write')?.status === 'running' && hung > 0 ? true : undefined;
      }, 20_000, 'the planned agent step in flight');
      const before = (await api('GET', `/runs/${runId}`)).body;
      await kill();
      hang = false;
      await boot();
      const run = await eventually(async () => {
        const body = (await api('GET', `/runs/${runId}`)).body;
        return body.status === 'succeeded' || body.status === 'failed' ? body : undefined;
      }, 30_000, 'the run to end after the restart');
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      assert.equal(plannerCalls, 1, 'the planner was called once');
      assert.deepEqual(run.steps.map((s: { id: string; status: string }) => [s.id, s.status]), [
        ['research', 'succeeded'],
        ['research.gather', 'succeeded'],
        ['research.write', 'succeeded'],
        ['publish', 'succeeded'],
      ]);
      assert.deepEqual(run.steps[0].output, before.steps[0].output, 'the same plan');
      const events = (await api('GET', `/runs/${runId}/events?limit=1000`)).body;
      const list = Array.isArray(events) ? events : events.items;
      assert.equal(list.filter((e: { type: string }) => e.type === 'plan.accepted').length, 1);
    });

    test(`killed while ${STARTS} runs of the saved automation start: exactly one run per key`, { timeout: 90_000 }, async () => {
      const source = (await api('GET', `/runs?automation=crash-planner&limit=1`)).body.items[0];
      const saved = await api('POST', `/runs/${source.id}/save-as-automation`, { name: 'crash-digest', inputs: [{ name: 'topic', required: true }] });
      assert.equal(saved.status, 201, JSON.stringify(saved.body));
      const plannedBefore = plannerCalls;
      const start = (i: number) => api('POST', '/automations/crash-digest/runs', { inputs: { topic: `t${i}` } }, { 'idempotency-key': `start-${i}` });
      // SIGKILL as soon as the first start is answered, with the others on the wire
      let firstAnswered: () => void = () => undefined;
      const answeredOnce = new Promise<void>((resolve) => (firstAnswered = resolve));
      const first = Array.from({ length: STARTS }, (_, i) =>
        sleep(i * 3)
          .then(() => start(i))
          .then((r) => (r.status < 300 && firstAnswered(), r))
          .catch(() => null),
      );
      await answeredOnce;
      await kill();
      const answered = (await Promise.all(first)).filter((r) => r !== null && (r.status === 201 || r.status === 200));
      await boot();
      const recorded = (await api('GET', '/runs?automation=crash-digest&limit=200')).body.total;
      assert.ok(recorded >= answered.length && answered.length >= 1, `recorded ${recorded}, answered ${answered.length}`);
      const ids = new Map<number, string>();
      for (let i = 0; i < STARTS; i++) {
        const again = await start(i);
        assert.ok(again.status === 200 || again.status === 201, JSON.stringify(again.body));
        ids.set(i, again.body.id ?? again.body.run.id);
      }
      for (const r of answered) {
        const id = r!.body.id ?? r!.body.run.id;
        assert.ok([...ids.values()].includes(id), `a run answered before the crash (${id}) is the one its key returns after it`);
      }
      assert.equal(new Set(ids.values()).size, STARTS);
      const all = await eventually(async () => {
        const page = (await api('GET', '/runs?automation=crash-digest&limit=200')).body;
        return page.items.every((r: { status: string }) => r.status === 'succeeded') ? page : undefined;
      }, 40_000, 'every run of the saved automation to succeed');
      assert.equal(all.total, STARTS, `exactly ${STARTS} runs (answered before the crash: ${answered.length})`);
      assert.deepEqual(new Set(all.items.map((r: { idempotency_key: string }) => r.idempotency_key)), new Set(Array.from({ length: STARTS }, (_, i) => `start-${i}`)));
      assert.equal(plannerCalls, plannedBefore, 'no run of the saved automation planned');
    });
  });
}
