import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { type ApiCall, apiClient, type ApiResponse, createGateAction, startTestServer, type TestServer } from './harness.js';
import { DIALECTS } from '../support/node.js';

const secret = { name: 'secret', steps: [{ id: 'hold', action: 'gate', with: { key: 'never' } }] };

/** Status, code and message (with the ids masked) of an error answer: what a caller can observe. */
function observable(res: ApiResponse, ids: string[]): unknown {
  let message = String(res.body?.error?.message);
  for (const id of ids) if (id !== '') message = message.replaceAll(id, '<id>');
  return { status: res.status, code: res.body?.error?.code, message, details: res.body?.error?.details };
}

for (const dialect of DIALECTS) {
  describe(`api: workspaces and scopes (${dialect})`, () => {
    let server: TestServer;
    let admin: ApiCall;
    let tokenA: string;
    let tokenB: string;
    let runB: string;
    const gate = createGateAction();

    async function createToken(body: unknown): Promise<ApiResponse> {
      const res = await admin('POST', '/api/v1/tokens', { json: body });
      assert.equal(res.status, 201, res.text);
      assert.match(res.body.token, /^rota_/);
      return res;
    }

    before(async () => {
      server = await startTestServer({ dialect, actions: [gate.action] });
      admin = apiClient(server.url, server.adminToken);
      tokenA = (await createToken({ name: 'a', scopes: ['admin'], workspace: 'ws-a' })).body.token;
      tokenB = (await createToken({ name: 'b', scopes: ['automations:read', 'automations:write', 'runs:read', 'runs:write', 'events:write'], workspace: 'ws-b' })).body.token;
      const b = apiClient(server.url, tokenB);
      assert.equal((await b('POST', '/api/v1/automations', { json: secret })).status, 201);
      const run = await b('POST', '/api/v1/automations/secret/runs', { json: {} });
      assert.equal(run.status, 201);
      runB = run.body.id;
      assert.equal((await b('POST', '/api/v1/events', { json: { name: 'b.only', id: 'b-1' } })).status, 202);
    });
    after(async () => server?.close());

    test("a token of workspace A gets 404 for every resource of workspace B, exactly like a missing one", async () => {
      const a = apiClient(server.url, tokenA);
      const missingRun = '01ARZ3NDEKTSV4RRFFQ69G5FAV';
      const pairs: [string, string, string, unknown?][] = [
        ['GET', '/api/v1/automations/secret', '/api/v1/automations/nothing'],
        ['GET', '/api/v1/automations/secret/versions', '/api/v1/automations/nothing/versions'],
        ['GET', '/api/v1/automations/secret/versions/1', '/api/v1/automations/nothing/versions/1'],
        ['POST', '/api/v1/automations/secret/pause', '/api/v1/automations/nothing/pause'],
        ['POST', '/api/v1/automations/secret/runs', '/api/v1/automations/nothing/runs', {}],
        ['GET', `/api/v1/runs/${runB}`, `/api/v1/runs/${missingRun}`],
        ['GET', `/api/v1/runs/${runB}/events`, `/api/v1/runs/${missingRun}/events`],
        ['POST', `/api/v1/runs/${runB}/cancel`, `/api/v1/runs/${missingRun}/cancel`],
        ['POST', `/api/v1/runs/${runB}/retry`, `/api/v1/runs/${missingRun}/retry`],
        ['POST', `/api/v1/runs/${runB}/replay`, `/api/v1/runs/${missingRun}/replay`, {}],
        ['GET', `/api/v1/runs/${runB}/report`, `/api/v1/runs/${missingRun}/report`],
        ['GET', `/api/v1/runs/${runB}/stream`, `/api/v1/runs/${missingRun}/stream`],
      ];
      for (const [method, theirs, missing, json] of pairs) {
        const init = json === undefined ? {} : { json };
        const other = await a(method, theirs, init);
        const none = await a(method, missing, init);
        assert.equal(other.status, 404, `${method} ${theirs}: ${other.text}`);
        assert.deepEqual(observable(other, [runB, 'secret']), observable(none, [missingRun, 'nothing']), `${method} ${theirs}`);
      }
      assert.deepEqual((await a('GET', '/api/v1/automations')).body.items, []);
      assert.deepEqual((await a('GET', '/api/v1/runs')).body.items, []);
      assert.equal((await a('GET', '/api/v1/runs')).body.total, 0);
      assert.ok(!(await a('GET', '/api/v1/events')).body.items.some((e: any) => e.name === 'b.only'));
      const b = apiClient(server.url, tokenB);
      assert.equal((await b('GET', `/api/v1/runs/${runB}`)).body.status, 'running', 'the run of B was not touched');
      // B's resources are still B's
      assert.equal((await b('GET', '/api/v1/automations/secret')).body.status, 'active');
    });

    test('a workspace token cannot switch workspace by header; an admin can', async () => {
      const a = apiClient(server.url, tokenA, { 'x-rota-workspace': 'ws-b' });
      const res = await a('GET', '/api/v1/automations');
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, 'forbidden');
      const unknown = apiClient(server.url, tokenA, { 'x-rota-workspace': 'no-such-ws' });
      assert.deepEqual(observable(await unknown('GET', '/api/v1/automations'), []), observable(res, []));
      const asAdmin = apiClient(server.url, server.adminToken, { 'x-rota-workspace': 'ws-b' });
      assert.deepEqual((await asAdmin('GET', '/api/v1/automations')).body.items.map((x: any) => x.name), ['secret']);
      assert.deepEqual((await admin('GET', '/api/v1/automations')).body.items, [], 'the default workspace is another one');
    });

    test('scopes: runs:read cannot write; no token and unknown tokens are 401; revoked tokens stop working', async () => {
      const reader = await createToken({ name: 'reader', scopes: ['runs:read'], workspace: 'ws-b' });
      const r = apiClient(server.url, reader.body.token);
      const denied = await r('POST', '/api/v1/automations', { json: { ...secret, name: 'nope' } });
      assert.equal(denied.status, 403);
      assert.equal(denied.body.error.code, 'forbidden');
      assert.equal((await r('POST', `/api/v1/runs/${runB}/cancel`)).status, 403);
      assert.equal((await r('POST', '/api/v1/tokens', { json: { name: 'x', scopes: ['admin'] } })).status, 403);
      assert.equal((await r('GET', '/api/v1/runs')).status, 200);
      assert.equal((await r('GET', '/api/v1/automations')).status, 403);

      for (const auth of [null, 'rota_unknown', 'Bearer', 'Basic abc']) {
        const call = auth === null ? apiClient(server.url, null) : apiClient(server.url, null, { authorization: auth.startsWith('rota_') ? `Bearer ${auth}` : auth });
        const res = await call('GET', '/api/v1/runs');
        assert.equal(res.status, 401, String(auth));
        assert.equal(res.body.error.code, 'unauthenticated');
      }

      const revoked = await admin('DELETE', `/api/v1/tokens/${reader.body.id}`);
      assert.equal(revoked.status, 204, revoked.text);
      const after = await r('GET', '/api/v1/runs');
      assert.equal(after.status, 401);
      assert.equal(after.body.error.code, 'unauthenticated');
    });

    test('tokens: a workspace admin manages only its own workspace; secrets are never listed', async () => {
      const a = apiClient(server.url, tokenA);
      assert.equal((await a('POST', '/api/v1/tokens', { json: { name: 'x', scopes: ['runs:read'], workspace: 'ws-b' } })).status, 403);
      const own = await a('POST', '/api/v1/tokens', { json: { name: 'mine', scopes: ['runs:read'] } });
      assert.equal(own.status, 201, own.text);
      assert.equal(own.body.workspace, 'ws-a');
      const listed = await a('GET', '/api/v1/tokens');
      assert.ok(listed.body.items.every((t: any) => t.workspace === 'ws-a' && !('token' in t)));
      const all = await admin('GET', '/api/v1/tokens');
      const bToken = all.body.items.find((t: any) => t.workspace === 'ws-b');
      assert.equal((await a('DELETE', `/api/v1/tokens/${bToken.id}`)).status, 404);
      assert.ok(!JSON.stringify(all.body).includes(tokenB));
    });
  });
}
