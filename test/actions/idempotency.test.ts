// One idempotency key per step: every retry of an `http` or `delegate` step sends the same
// Idempotency-Key and a growing Rota-Attempt, through the real engine on both databases.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { eventually, forEachDialect, makeNode, uniqueName, type TestNode } from '../support/node.js';
import { json, startServer, type TestServer } from './server.js';

const RETRY = { max_retries: 3, base_delay: '1ms', backoff: 'fixed', jitter: false };

forEachDialect('actions: one idempotency key per step', (db) => {
  let server: TestServer;
  let node: TestNode;
  let failuresLeft = 0;
  before(async () => {
    server = await startServer((req, res) => {
      if (failuresLeft > 0) {
        failuresLeft--;
        return void res.writeHead(503).end();
      }
      json(res, 200, { ok: true });
    });
  });
  // forEachDialect stops every node after each test
  beforeEach(async () => {
    node = await makeNode(db, { config: { http: { allowlist: ['127.0.0.1'], maxResponseBytes: 1 << 20, defaultTimeoutMs: 5_000 } } });
  });
  after(() => server.close());

  const sent = (from: number) => server.received.slice(from).map((r) => [r.headers['idempotency-key'], r.headers['rota-attempt']]);

  test('retries of an http step carry the same key and an increasing Rota-Attempt', async () => {
    const name = uniqueName('http-key');
    await node.apply({ name, steps: [{ id: 'call', action: 'http', retry: RETRY, with: { method: 'POST', url: `${server.url}/charge`, body: { n: 1 } } }] });
    const from = server.received.length;
    failuresLeft = 2;
    const run = await node.runToEnd(name);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    const key = `${run.id}:call`;
    assert.deepEqual(sent(from), [[key, '1'], [key, '2'], [key, '3']]);
  });

  test('idempotency_key: overrides the key (a template), still the same on every attempt', async () => {
    const name = uniqueName('http-key-override');
    await node.apply({
      name,
      inputs: { type: 'object', properties: { order: { type: 'string' } } },
      steps: [{ id: 'call', action: 'http', retry: RETRY, with: { url: `${server.url}/x`, idempotency_key: 'order-{{ inputs.order }}' } }],
    });
    const from = server.received.length;
    failuresLeft = 1;
    const run = await node.runToEnd(name, { order: 'A17' });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.deepEqual(sent(from), [['order-A17', '1'], ['order-A17', '2']]);
  });

  test('delegate posts run_id:step_id, the same on a retried POST, with Rota-Attempt', async () => {
    const name = uniqueName('delegate-key');
    await node.apply({ name, steps: [{ id: 'work', action: 'delegate', retry: RETRY, with: { url: `${server.url}/task`, task: 1, timeout: '1m' } }] });
    const from = server.received.length;
    failuresLeft = 1;
    const { id } = await node.start(name);
    const key = `${id}:work`;
    const deliveries = await eventually(() => (server.received.length - from >= 2 ? server.received.slice(from) : undefined), 5_000, 'the retried POST');
    assert.deepEqual(sent(from), [[key, '1'], [key, '2']]);
    assert.equal(JSON.parse(deliveries[1]!.body).idempotency_key, key);
    await node.rota.runs.cancel(node.ws, id);
  });
});
