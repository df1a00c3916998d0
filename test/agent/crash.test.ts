/**
 * No double spend on resume, against the real server: agent runs (3 tool turns each, `http_fetch`
 * against a loopback recorder) while `rota serve` is SIGKILLed and restarted on the same data.
 * At the provider stand-in, every request is identified by (run, turn); once the engine has
 * recorded a call (agent_calls.created_at), that request must never arrive again. Only a call
 * that was in flight when the process died may be repeated.
 */
import { createPostgresSchema } from '../support/postgres.js';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { servedApi, startServe, tempDir, type Served } from '../cli/serve.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';

const RUNS = 16;
const KILLS = 4;
const TOOL_TURNS = 3;
const SETTLE_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (lo: number, hi: number) => lo + Math.floor(Math.random() * (hi - lo + 1));

interface Hit {
  key: string;
  at: number;
}

async function startToolRecorder(): Promise<{ server: Server; port: number; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    hits.push({ key: (req.url ?? '').slice(1), at: Date.now() });
    req.resume();
    setTimeout(() => res.end(JSON.stringify({ ok: true })), between(5, 30));
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, hits };
}


/** (run id, turn) of a request: the prompt names the run, the turn is the number of assistant messages so far. */
function requestKey(messages: any[]): { runId: string; turn: number } {
  const runId = /Run ([0-9A-Z]{26})/.exec(JSON.stringify(messages[0]))?.[1] ?? '?';
  return { runId, turn: messages.filter((m) => m.role === 'assistant').length };
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`agent crash safety (${dialect}, real server, SIGKILL): no completed call made twice`, () => {
    const token = `rota_${randomBytes(16).toString('hex')}`;
    const dataDir = tempDir('rota-agent-crash-');
    let llm: StandIn;
    let tools: Awaited<ReturnType<typeof startToolRecorder>>;
    let schema: Awaited<ReturnType<typeof createPostgresSchema>> | null = null;
    let served: Served | null = null;
    let env: Record<string, string>;
    const boot = async () => (served = await startServe({ dataDir, adminToken: token, env }));
    const api = servedApi(() => served, token);

    before(async () => {
      llm = await startStandIn();
      tools = await startToolRecorder();
      llm.script(async (request) => {
        const { runId, turn } = requestKey(request.messages);
        await sleep(between(40, 160));
        if (turn < TOOL_TURNS) return { toolCalls: [{ name: 'http_fetch', arguments: { url: `http://127.0.0.1:${tools.port}/${runId}/${turn}` } }], usage: { input: 100, output: 10 } };
        return { text: `done ${runId}`, usage: { input: 100, output: 5 } };
      });
      if (dialect === 'postgres') schema = await createPostgresSchema();
      writeFileSync(
        join(dataDir, 'rota.config.yaml'),
        [
          'providers:',
          `  stand_in: { kind: openai_compatible, base_url: "${llm.openaiBaseUrl}" }`,
          'models:',
          '  default: { model: "stand_in:crash-model", price: { input: 1, output: 2 } }',
          'http:',
          '  allowlist: ["127.0.0.1"]',
        ].join('\n'),
      );
      env = { ROTA_LEASE_MS: '1500', ...(schema ? { ROTA_DATABASE_URL: schema.url } : {}) };
    });

    after(async () => {
      if (served) await served.stop(2_000).catch(() => undefined);
      await llm?.close();
      tools?.server.closeAllConnections();
      await new Promise((r) => tools?.server.close(r) ?? r(undefined));
      if (schema) await schema.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test(`${RUNS} agent runs survive ${KILLS} SIGKILLs without paying for a recorded call twice`, { timeout: 120_000 }, async () => {
      await boot();
      const name = 'agent-crashy';
      const created = await api('POST', '/automations', {
        name,
        steps: [{ id: 'agent', action: 'agent', with: { prompt: 'Run {{ run.id }}: fetch three pages', tools: ['http_fetch'], max_tokens: 50 }, retry: { max_retries: 5, base_delay: '100ms' } }],
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const runIds: string[] = [];
      for (let i = 0; i < RUNS; i++) {
        const started = await api('POST', `/automations/${name}/runs`, { inputs: {} }, { 'idempotency-key': `agent-crash-${i}` });
        assert.ok(started.status === 201 || started.status === 200, JSON.stringify(started.body));
        runIds.push(started.body.run?.id ?? started.body.id);
      }
      let kills = 0;
      while (kills < KILLS) {
        await sleep(between(300, 700));
        const victim = served!;
        victim.kill('SIGKILL');
        assert.equal((await victim.wait()).signal, 'SIGKILL');
        kills++;
        await boot();
      }
      const deadline = Date.now() + SETTLE_MS;
      let runs: any[] = [];
      for (;;) {
        runs = await Promise.all(runIds.map(async (id) => (await api('GET', `/runs/${id}`)).body));
        const active = runs.filter((r) => ['queued', 'running', 'waiting'].includes(r?.status));
        if (active.length === 0) break;
        if (Date.now() > deadline) assert.fail(`${active.length} runs not terminal after ${SETTLE_MS}ms`);
        await sleep(250);
      }
      for (const run of runs) assert.equal(run.status, 'succeeded', `run ${run.id}: ${JSON.stringify(run.error)}`);

      const arrivals = new Map<string, number[]>();
      for (const call of llm.calls) {
        const { runId, turn } = requestKey(call.messages);
        const key = `${runId}/${turn}`;
        arrivals.set(key, [...(arrivals.get(key) ?? []), call.at]);
      }
      const toolArrivals = new Map<string, number[]>();
      for (const hit of tools.hits) toolArrivals.set(hit.key, [...(toolArrivals.get(hit.key) ?? []), hit.at]);

      let repeatedInFlight = 0;
      for (const run of runs) {
        const conversation = await api('GET', `/runs/${run.id}/steps/agent/conversation`);
        assert.equal(conversation.status, 200);
        const calls = (conversation.body.calls as { kind: string; status: string; created_at: string }[]).filter((c) => c.status === 'ok');
        const models = calls.filter((c) => c.kind === 'model');
        const toolCalls = calls.filter((c) => c.kind === 'tool');
        assert.equal(models.length, TOOL_TURNS + 1, `run ${run.id}: one recorded call per turn`);
        assert.equal(toolCalls.length, TOOL_TURNS);
        models.forEach((c, turn) => {
          const recordedAt = Date.parse(c.created_at);
          const seen = arrivals.get(`${run.id}/${turn}`) ?? [];
          assert.ok(seen.length >= 1, `stand-in never saw ${run.id}/${turn}`);
          const after = seen.filter((at) => at > recordedAt);
          assert.equal(after.length, 0, `model call ${run.id}/${turn} was made again after it was recorded`);
          repeatedInFlight += seen.length - 1;
        });
        toolCalls.forEach((c, turn) => {
          const recordedAt = Date.parse(c.created_at);
          const seen = toolArrivals.get(`${run.id}/${turn}`) ?? [];
          assert.ok(seen.length >= 1, `tool recorder never saw ${run.id}/${turn}`);
          assert.equal(seen.filter((at) => at > recordedAt).length, 0, `tool call ${run.id}/${turn} was made again after it was recorded`);
        });
        assert.ok(Math.abs(run.cost_usd - Number(conversation.body.totals.cost_usd)) < 1e-9, 'run cost equals the ledger');
      }
      console.log(`[agent crash ${dialect}] runs=${RUNS} kills=${kills} model requests=${llm.calls.length} (recorded ${RUNS * (TOOL_TURNS + 1)}), in-flight repeats=${repeatedInFlight}`);
    });
  });
}
