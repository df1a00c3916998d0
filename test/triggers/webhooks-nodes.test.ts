/**
 * Two real `rota serve` nodes on one PostgreSQL database: every delivery is sent to both nodes at
 * the same moment, and each delivery id produces exactly one run (the database's unique key on
 * the idempotency key decides); both answers carry that run. Neither node's log holds the secret.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { apiClient } from '../api/harness.js';
import { createPostgresSchema } from '../support/postgres.js';
import { startServe, type Served } from '../cli/serve.js';

const DELIVERIES = 25;

describe('webhooks: concurrent duplicate deliveries to two nodes (PostgreSQL, real processes)', () => {
  const token = `rota_${randomBytes(16).toString('hex')}`;
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  let schema: Awaited<ReturnType<typeof createPostgresSchema>>;
  const nodes: Served[] = [];

  before(async () => {
    schema = await createPostgresSchema();
    const env = { ROTA_DATABASE_URL: schema.url, ROTA_SECRET_KEY: randomBytes(32).toString('hex'), ROTA_LOG_LEVEL: 'info' };
    nodes.push(await startServe({ adminToken: token, env }));
    nodes.push(await startServe({ adminToken: token, env }));
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await schema?.drop();
  });

  test('each delivery id makes exactly one run, whichever node answers', async () => {
    const api = apiClient(nodes[0]!.url, token);
    const definition = {
      name: 'two-nodes',
      triggers: [{ id: 'hook', type: 'webhook', verify: { scheme: 'standard', secret } }],
      steps: [{ id: 'a', action: 'set', with: { ok: true } }],
    };
    const created = await api('POST', '/api/v1/automations', { json: definition });
    assert.equal(created.status, 201, created.text);
    const path = created.body.triggers[0].webhook_path as string;
    const signer = new Webhook(secret);
    const results = await Promise.all(
      Array.from({ length: DELIVERIES }, async (_, i) => {
        const body = JSON.stringify({ i });
        const id = `msg_${i}`;
        const headers = { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': signer.sign(id, new Date(), body) };
        const answers = await Promise.all(
          nodes.map(async (node) => {
            const res = await fetch(`${node.url}${path}`, { method: 'POST', headers, body });
            return { status: res.status, body: (await res.json()) as { runs: { id: string }[] } };
          }),
        );
        return answers;
      }),
    );
    for (const [a, b] of results) {
      assert.ok([200, 202].includes(a!.status) && [200, 202].includes(b!.status), `${a!.status} ${b!.status}`);
      assert.equal(a!.body.runs[0]!.id, b!.body.runs[0]!.id, 'both nodes answer with the one run');
    }
    const runs = await api('GET', '/api/v1/runs?automation=two-nodes&limit=200');
    assert.equal(runs.body.total, DELIVERIES);
    const logs = nodes.map((n) => n.stdout() + n.stderr()).join('\n');
    assert.ok(!logs.includes(secret.slice(6)), 'the secret never reaches a log');
  });
});
