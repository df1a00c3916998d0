/**
 * Two real `rota serve` nodes on one PostgreSQL database share one queue of runs: every run
 * executes exactly once (no step is executed twice, by either node), and both nodes take part.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createPostgresSchema } from '../support/postgres.js';
import { servedApi, startServe, tempDir, type Served } from '../cli/serve.js';

const RUNS = 120;
const STEPS = ['s1', 's2'];

describe('two nodes on one PostgreSQL database (real servers)', () => {
  const token = `rota_${randomBytes(16).toString('hex')}`;
  let schema: Awaited<ReturnType<typeof createPostgresSchema>>;
  const dirs = [tempDir('rota-node-a-'), tempDir('rota-node-b-')];
  const hits: { runId: string; stepId: string; key: string }[] = [];
  let recorder: Server;
  let port = 0;
  const nodes: Served[] = [];

  before(async () => {
    recorder = createServer((req, res) => {
      const [, runId = '', stepId = ''] = (req.url ?? '').split('/');
      hits.push({ runId, stepId, key: String(req.headers['idempotency-key'] ?? '') });
      req.resume();
      req.on('end', () => setTimeout(() => res.end('{"ok":true}'), 2 + Math.floor(Math.random() * 10)));
    });
    await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
    port = (recorder.address() as { port: number }).port;
    schema = await createPostgresSchema();
  });

  after(async () => {
    for (const node of nodes) await node.stop(2_000).catch(() => undefined);
    recorder.closeAllConnections();
    await new Promise((r) => recorder.close(r));
    await schema?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test(`${RUNS} runs created on one node are executed once in total by both`, { timeout: 90_000 }, async () => {
    const env = { ROTA_DATABASE_URL: schema.url, ROTA_HTTP_ALLOWLIST: '127.0.0.1', ROTA_WORKER_CONCURRENCY: '4' };
    for (const dataDir of dirs) nodes.push(await startServe({ dataDir, adminToken: token, env }));
    const api = (node: Served, method: string, path: string, body?: unknown) => servedApi(() => node, token)(method, path, body);
    const created = await api(nodes[0], 'POST', '/automations', {
      name: 'shared',
      steps: STEPS.map((id) => ({ id, action: 'http', with: { method: 'POST', url: `http://127.0.0.1:${port}/{{ run.id }}/${id}` } })),
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // Runs are created alternately on both nodes; each node also claims runs the other created.
    const ids: string[] = [];
    for (let i = 0; i < RUNS; i += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, (_, j) => api(nodes[(i + j) % 2], 'POST', '/automations/shared/runs', { inputs: {} })));
      for (const r of batch) {
        assert.equal(r.status, 201);
        ids.push(r.body.id);
      }
    }
    const deadline = Date.now() + 60_000;
    let runs: any[] = [];
    for (;;) {
      runs = await Promise.all(ids.map(async (id) => (await api(nodes[1], 'GET', `/runs/${id}`)).body));
      if (runs.every((r) => r.status === 'succeeded' || r.status === 'failed')) break;
      assert.ok(Date.now() < deadline, 'runs did not finish within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(runs.every((r) => r.status === 'succeeded'), 'every run succeeded');
    for (const id of ids) {
      for (const step of STEPS) {
        const seen = hits.filter((h) => h.runId === id && h.stepId === step);
        assert.equal(seen.length, 1, `${id}/${step} executed ${seen.length} times`);
        assert.equal(seen[0].key, `${id}:${step}`);
      }
    }
    // Both nodes executed runs: the `run.started` event names the claiming node.
    const owners = new Set<string>();
    for (const id of ids) {
      const events = (await api(nodes[0], 'GET', `/runs/${id}/events`)).body;
      const started = (events.items ?? events).find((e: any) => e.type === 'run.started');
      owners.add(started.data.node);
    }
    assert.equal(owners.size, 2, `runs were claimed by ${owners.size} node(s)`);
  });
});
