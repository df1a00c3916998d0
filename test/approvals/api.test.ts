// Approvals and delegate callbacks over the REST API, against a real engine on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { apiClient, startTestServer, type ApiCall, type TestServer } from '../api/harness.js';
import { DIALECTS, eventually } from '../support/node.js';

interface Delivery {
  body: { task: unknown; callback_url: string; callback_token: string; run_id: string; step_id: string; idempotency_key: string };
  headers: IncomingMessage['headers'];
}

/** A loopback "agent runtime": records task deliveries; `onTask` may call back before answering. */
async function startRuntime(onTask: (d: Delivery) => Promise<void> = async () => undefined): Promise<{ url: string; deliveries: Delivery[]; close(): Promise<void> }> {
  const deliveries: Delivery[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8').on('data', (c: string) => (text += c));
    req.on('end', () => {
      const delivery = { body: JSON.parse(text), headers: req.headers };
      deliveries.push(delivery);
      void onTask(delivery).finally(() => {
        res.writeHead(202, { 'content-type': 'application/json' }).end('{"accepted":true}');
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/tasks`, deliveries, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

for (const dialect of DIALECTS) {
  describe(`approvals API [${dialect}]`, () => {
    let server: TestServer;
    let admin: ApiCall;
    before(async () => {
      // a secret key: PostgreSQL nodes need one to seal workspace secrets (the delegate redaction test)
      server = await startTestServer({ dialect, config: { secretKey: randomBytes(32).toString('base64'), http: { allowlist: ['127.0.0.1'], maxResponseBytes: 1 << 20, defaultTimeoutMs: 5_000 } } });
      admin = apiClient(server.url, server.adminToken);
    });
    after(() => server?.close());

    async function token(name: string, scopes: string[], workspace?: string): Promise<ApiCall> {
      const res = await admin('POST', '/api/v1/tokens', { json: { name, scopes, ...(workspace ? { workspace } : {}) } });
      assert.equal(res.status, 201, res.text);
      return apiClient(server.url, res.body.token ?? res.body.info?.token);
    }

    async function startWaiting(name: string, steps: unknown[]): Promise<string> {
      const put = await admin('PUT', `/api/v1/automations/${name}`, { json: { name, steps } });
      assert.ok(put.status === 200 || put.status === 201, put.text);
      const start = await admin('POST', `/api/v1/automations/${name}/runs`, { json: {} });
      assert.equal(start.status, 201, start.text);
      const runId: string = start.body.id;
      await eventually(async () => ((await admin('GET', `/api/v1/runs/${runId}`)).body.status === 'waiting' ? true : undefined));
      return runId;
    }

    test('inbox, decision, idempotent repeat, 409 on conflict, scopes and workspace isolation', async () => {
      const runId = await startWaiting('api-approve', [{ id: 'ok', action: 'approval', with: { message: 'Ship it?', details: { v: 1 } } }]);
      const inbox = await admin('GET', '/api/v1/approvals?state=pending');
      assert.equal(inbox.status, 200);
      const item = inbox.body.items.find((a: { run_id: string }) => a.run_id === runId);
      assert.ok(item, inbox.text);
      assert.equal((await admin('GET', `/api/v1/approvals/${item.id}`)).body.message, 'Ship it?');

      const reader = await token('reader', ['runs:read']);
      assert.equal((await reader('GET', `/api/v1/approvals/${item.id}`)).status, 200);
      assert.equal((await reader('POST', `/api/v1/approvals/${item.id}/decision`, { json: { decision: 'approve' } })).status, 403);
      const stranger = await token('stranger', ['runs:read', 'approvals:write'], 'elsewhere');
      assert.equal((await stranger('GET', `/api/v1/approvals/${item.id}`)).status, 404);
      assert.equal((await stranger('POST', `/api/v1/approvals/${item.id}/decision`, { json: { decision: 'approve' } })).status, 404);
      assert.equal((await stranger('GET', '/api/v1/approvals?state=pending')).body.items.length, 0);

      const approver = await token('carol', ['runs:read', 'approvals:write']);
      assert.equal((await approver('POST', `/api/v1/approvals/${item.id}/decision`, { json: { decision: 'maybe' } })).status, 400);
      assert.equal((await approver('POST', `/api/v1/approvals/${item.id}/decision`, { json: { decision: 'reject', value: 1 } })).status, 400);
      const first = await approver('POST', `/api/v1/approvals/${item.id}/decision`, { json: { decision: 'approve', value: { v: 2 }, comment: 'edited' } });
      assert.equal(first.status, 200, first.text);
      assert.equal(first.body.state, 'approved');
      assert.equal(first.body.decided_by, 'carol');
      const repeat = await approver('POST', `/api/v1/approvals/${item.id}/decision`, { json: { decision: 'approve', value: { v: 3 } } });
      assert.equal(repeat.status, 200);
      assert.deepEqual(repeat.body.value, { v: 2 });
      const conflict = await approver('POST', `/api/v1/approvals/${item.id}/decision`, { json: { decision: 'reject' } });
      assert.equal(conflict.status, 409);
      assert.equal(conflict.body.error.code, 'conflict');
      const other = await admin('POST', `/api/v1/approvals/${item.id}/decision`, { json: { decision: 'abort' } });
      assert.equal(other.status, 409);
      const run = await eventually(async () => {
        const r = await admin('GET', `/api/v1/runs/${runId}`);
        return r.body.status === 'succeeded' ? r.body : undefined;
      });
      assert.deepEqual(run.output, { approved: true, value: { v: 2 }, decided_by: 'carol', comment: 'edited', timed_out: false });
      assert.equal((await admin('GET', '/api/v1/approvals/NOPE')).status, 404);
      const doc = await admin('GET', '/api/openapi.json');
      assert.ok(doc.body.paths['/api/v1/approvals/{id}/decision'] && doc.body.paths['/api/v1/callbacks/{id}']);
    });

    test('delegate: task POSTed with a one-time token; wrong or reused tokens change nothing', async () => {
      const runtime = await startRuntime();
      try {
        const runId = await startWaiting('api-delegate', [
          { id: 'work', action: 'delegate', with: { url: runtime.url, task: { topic: 'cats' }, timeout: '1m', headers: { 'x-team': 'a' } } },
          { id: 'after', action: 'set', with: { summary: '{{ steps.work.output.summary }}' } },
        ]);
        assert.equal(runtime.deliveries.length, 1);
        const { body, headers } = runtime.deliveries[0];
        assert.deepEqual(body.task, { topic: 'cats' });
        assert.equal(body.run_id, runId);
        assert.equal(body.step_id, 'work');
        assert.equal(body.idempotency_key, `${runId}:work`);
        assert.equal(headers['idempotency-key'], `${runId}:work`);
        assert.equal(headers['x-team'], 'a');
        assert.match(body.callback_token, /^rcb_/);
        const path = new URL(body.callback_url).pathname;
        assert.match(path, /^\/api\/v1\/callbacks\/[A-Za-z0-9]+$/);
        const call = (tok: string | null) => apiClient(server.url, tok);

        assert.equal((await call(null)('POST', path, { json: { output: 1 } })).status, 401);
        assert.equal((await call('rcb_wrongwrongwrong')('POST', path, { json: { output: 1 } })).status, 401);
        assert.equal((await call(server.adminToken)('POST', path, { json: { output: 1 } })).status, 401, 'an API token is not a callback token');
        assert.equal((await call(body.callback_token)('POST', `/api/v1/callbacks/01OTHERDELEGATION`, { json: { output: 1 } })).status, 401, 'the token is bound to its delegation');
        assert.equal((await admin('GET', `/api/v1/runs/${runId}`)).body.status, 'waiting', 'refused callbacks change nothing');
        assert.equal((await call(body.callback_token)('POST', path, { json: { nope: 1 } })).status, 400);

        // two deliveries of the same callback at once: exactly one completes the delegation
        const both = await Promise.all([0, 1].map(() => call(body.callback_token)('POST', path, { json: { output: { summary: 'cats are great' } } })));
        assert.deepEqual(both.map((r) => r.status).sort(), [200, 409], both.map((r) => r.text).join(' | '));
        const ok = both.find((r) => r.status === 200)!;
        assert.equal(ok.body.state, 'succeeded');
        assert.match(both.find((r) => r.status === 409)!.body.error.message, /already succeeded|changed meanwhile/);
        const reused = await call(body.callback_token)('POST', path, { json: { error: { message: 'late' } } });
        assert.equal(reused.status, 409);
        const run = await eventually(async () => {
          const r = await admin('GET', `/api/v1/runs/${runId}`);
          return r.body.status === 'succeeded' ? r.body : undefined;
        });
        assert.deepEqual(run.output, { summary: 'cats are great' });
        assert.deepEqual(run.steps[0].output, { summary: 'cats are great' });
      } finally {
        await runtime.close();
      }
    });

    test('delegate: a runtime that echoes a secret header back has it stored redacted', async () => {
      const value = `dlg-${Math.random().toString(36).slice(2)}-secret`;
      assert.ok((await admin('PUT', '/api/v1/secrets/DELEGATE_KEY', { json: { value } })).status < 300);
      const echo = await startRuntime(async (d) => {
        const res = await apiClient(server.url, d.body.callback_token)('POST', new URL(d.body.callback_url).pathname, { json: { output: { echoed: d.headers['x-key'] } } });
        assert.equal(res.status, 200);
      });
      try {
        const name = 'api-delegate-secret';
        const put = await admin('PUT', `/api/v1/automations/${name}`, { json: { name, steps: [{ id: 'w', action: 'delegate', with: { url: echo.url, task: 1, headers: { 'x-key': '{{ secrets.DELEGATE_KEY }}' } } }] } });
        assert.ok(put.status < 300, put.text);
        const start = await admin('POST', `/api/v1/automations/${name}/runs?wait=10s`, { json: {} });
        assert.equal(start.body.status, 'succeeded', start.text);
        assert.equal(echo.deliveries[0]!.headers['x-key'], value, 'the runtime got the value');
        assert.deepEqual(start.body.output, { echoed: '[redacted]' });
        const { sql } = await import('kysely');
        const { internalsOf } = await import('../../src/testing/index.js');
        const rows = await sql<{ output: string | null }>`SELECT output FROM delegations WHERE run_id = ${start.body.id}`.execute(internalsOf(server.rota).store.db);
        assert.equal(rows.rows.length, 1);
        assert.ok(!JSON.stringify(rows.rows).includes(value), `the delegation row holds no secret: ${JSON.stringify(rows.rows)}`);
      } finally {
        await echo.close();
      }
    });

    test('delegate: a callback before the POST answer, an error callback, and a timeout', async () => {
      const fast = await startRuntime(async (d) => {
        const res = await apiClient(server.url, d.body.callback_token)('POST', new URL(d.body.callback_url).pathname, { json: { error: { message: 'no capacity', code: 'busy' } } });
        assert.equal(res.status, 200);
      });
      try {
        const put = await admin('PUT', '/api/v1/automations/api-delegate-fast', { json: { name: 'api-delegate-fast', steps: [{ id: 'w', action: 'delegate', with: { url: fast.url, task: 1 } }] } });
        assert.ok(put.status < 300, put.text);
        const start = await admin('POST', '/api/v1/automations/api-delegate-fast/runs?wait=10s', { json: {} });
        assert.equal(start.body.status, 'failed', start.text);
        assert.equal(start.body.error.code, 'delegation_failed');
        assert.match(start.body.error.message, /no capacity/);
      } finally {
        await fast.close();
      }
      const silent = await startRuntime();
      try {
        const put = await admin('PUT', '/api/v1/automations/api-delegate-slow', { json: { name: 'api-delegate-slow', steps: [{ id: 'w', action: 'delegate', with: { url: silent.url, task: 1, timeout: '300ms' } }] } });
        assert.ok(put.status < 300, put.text);
        const start = await admin('POST', '/api/v1/automations/api-delegate-slow/runs?wait=10s', { json: {} });
        assert.equal(start.body.status, 'failed', start.text);
        assert.equal(start.body.error.code, 'delegation_timeout');
        const d = silent.deliveries[0];
        const late = await apiClient(server.url, d.body.callback_token)('POST', new URL(d.body.callback_url).pathname, { json: { output: 1 } });
        assert.equal(late.status, 409);
      } finally {
        await silent.close();
      }
    });

    test('delegate: the SSRF guard applies to the runtime URL', async () => {
      const put = await admin('PUT', '/api/v1/automations/api-delegate-ssrf', {
        json: { name: 'api-delegate-ssrf', steps: [{ id: 'w', action: 'delegate', retry: { max_retries: 0 }, with: { url: 'http://10.1.2.3/tasks', task: 1 } }] },
      });
      assert.ok(put.status < 300, put.text);
      const start = await admin('POST', '/api/v1/automations/api-delegate-ssrf/runs?wait=10s', { json: {} });
      assert.equal(start.body.status, 'failed', start.text);
      assert.equal(start.body.error.code, 'ssrf_blocked');
    });
  });
}
