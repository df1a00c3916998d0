/**
 * Workspaces over the API (admin scope) and one way of showing a workspace: `workspace` (name) and
 * `workspace_id` on runs, their activation, automations and tokens.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../support/node.js';
import { type ApiCall, apiClient, startTestServer, type TestServer } from './harness.js';

for (const dialect of DIALECTS) {
  describe(`api: workspaces (${dialect})`, () => {
    let server: TestServer;
    let admin: ApiCall;
    before(async () => {
      server = await startTestServer({ dialect });
      admin = apiClient(server.url, server.adminToken);
    });
    after(async () => server?.close());

    test('an admin lists and creates workspaces: 201, 409 for a taken name, 400 for a bad one', async () => {
      const created = await admin('POST', '/api/v1/workspaces', { json: { name: 'ops' } });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.name, 'ops');
      assert.match(created.body.id, /^[0-9A-Z]{26}$/);
      const again = await admin('POST', '/api/v1/workspaces', { json: { name: 'ops' } });
      assert.equal(again.status, 409);
      assert.match(again.body.error.message, /workspace "ops" already exists/);
      for (const name of ['Ops', '-x', 'a b', 'x'.repeat(64)]) {
        const bad = await admin('POST', '/api/v1/workspaces', { json: { name } });
        assert.equal(bad.status, 400, `${name}: ${bad.text}`);
        assert.equal(bad.body.error.details[0].path, '$.name');
      }
      assert.equal((await admin('POST', '/api/v1/workspaces', { json: { name: 'ok', extra: 1 } })).status, 400);
      const listed = await admin('GET', '/api/v1/workspaces');
      assert.deepEqual(listed.body.items.map((w: any) => w.name).sort(), [server.config.defaultWorkspace, 'ops'].sort());
    });

    test('a workspace-bound admin sees only its own workspace and creates none; other scopes are refused', async () => {
      const bound = await admin('POST', '/api/v1/tokens', { json: { name: 'ops-admin', scopes: ['admin'], workspace: 'ops-b' } });
      assert.equal(bound.status, 201, bound.text);
      const opsAdmin = apiClient(server.url, bound.body.token);
      assert.deepEqual((await opsAdmin('GET', '/api/v1/workspaces')).body.items.map((w: any) => w.name), ['ops-b']);
      assert.equal((await opsAdmin('POST', '/api/v1/workspaces', { json: { name: 'mine' } })).status, 403);
      const reader = await admin('POST', '/api/v1/tokens', { json: { name: 'r', scopes: ['runs:read'] } });
      assert.equal((await apiClient(server.url, reader.body.token)('GET', '/api/v1/workspaces')).status, 403);
    });

    test('runs, activations, automations and tokens show workspace name and id alike', async () => {
      const ws = (await admin('GET', '/api/v1/workspaces')).body.items.find((w: any) => w.name === server.config.defaultWorkspace);
      const auto = await admin('POST', '/api/v1/automations', { json: { name: 'shown', steps: [{ id: 'a', action: 'set', with: { v: 1 } }] } });
      assert.equal(auto.status, 201, auto.text);
      const run = (await admin('POST', '/api/v1/automations/shown/runs?wait=5s', { json: {} })).body;
      const listed = (await admin('GET', '/api/v1/runs?automation=shown')).body.items[0];
      const token = (await admin('POST', '/api/v1/tokens', { json: { name: 't', scopes: ['runs:read'] } })).body;
      for (const [what, view] of [['automation', auto.body], ['run', run], ['listed run', listed], ['activation', run.activation], ['token', token]] as const) {
        assert.equal(view.workspace, ws.name, `${what}.workspace is the name`);
        assert.equal(view.workspace_id, ws.id, `${what}.workspace_id is the id`);
      }
    });
  });
}
