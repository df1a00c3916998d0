/**
 * One-pass validation (validate and apply report the same problems, all at once), cursors that are
 * not a previous page's next_cursor, and archived automations being read-only until unarchived.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DIALECTS } from '../support/node.js';
import { type ApiCall, apiClient, startTestServer, type TestServer } from './harness.js';

const broken = {
  name: 'v',
  bogus: 1,
  triggers: [{ id: 'a', type: 'schedule', at: '2020-01-01T00:00:00Z' }],
  steps: [{ id: 'a', action: 'set', with: { v: '{{ inputs.nope }}' } }],
};

const problems = (body: any): string[] => (body.error.details as { path: string; message: string }[]).map((p) => `${p.path}: ${p.message}`).sort();

for (const dialect of DIALECTS) {
  describe(`api: validation and read-only archives (${dialect})`, () => {
    let server: TestServer;
    let api: ApiCall;
    before(async () => {
      server = await startTestServer({ dialect });
      api = apiClient(server.url, server.adminToken);
    });
    after(async () => server?.close());

    test('validate and apply report the same problems, all at once', async () => {
      const validate = await api('POST', '/api/v1/automations/validate', { json: broken });
      assert.equal(validate.status, 400, validate.text);
      const found = problems(validate.body);
      assert.deepEqual(found.map((p) => p.split(':')[0]), ['$.bogus', '$.steps[0].with.v', '$.triggers[0].at']);
      assert.match(found[1]!, /input "nope" is not declared: this definition has no inputs schema; declare it under inputs:/);
      assert.match(found[2]!, /in the past; give a future time/);
      for (const [method, path] of [['POST', '/api/v1/automations'], ['PUT', '/api/v1/automations/v']] as const) {
        const applied = await api(method, path, { json: broken });
        assert.equal(applied.status, 400, applied.text);
        assert.deepEqual(problems(applied.body), found, `${method} ${path}`);
      }
      const fixed = { ...broken, bogus: undefined, triggers: [{ id: 'a', type: 'schedule', at: '2999-01-01T00:00:00Z' }], inputs: { type: 'object', properties: { nope: { type: 'string' } } } };
      assert.equal((await api('POST', '/api/v1/automations/validate', { json: fixed })).status, 200);
    });

    test('a cursor that is no next_cursor is a 400 on every list', async () => {
      for (const path of ['/api/v1/runs', '/api/v1/events', '/api/v1/approvals', '/api/v1/automations']) {
        const res = await api('GET', `${path}?cursor=${encodeURIComponent('garbage; drop')}`);
        assert.equal(res.status, 400, `${path}: ${res.text}`);
        assert.equal(res.body.error.code, 'invalid_request');
        assert.match(JSON.stringify(res.body.error.details), /next_cursor of a previous page/);
      }
      assert.equal((await api('GET', '/api/v1/runs?cursor=garbage')).status, 400);
      assert.equal((await api('GET', '/api/v1/runs?cursor=01ARZ3NDEKTSV4RRFFQ69G5FAV')).status, 200);
      assert.equal((await api('GET', '/api/v1/automations?cursor=some-name')).status, 200);
    });

    test('an archived automation is read-only until unarchived, which brings it back paused', async () => {
      const def = { name: 'old', steps: [{ id: 's', action: 'set', with: { v: 1 } }] };
      assert.equal((await api('POST', '/api/v1/automations', { json: def })).status, 201);
      assert.equal((await api('POST', '/api/v1/automations/old/unarchive')).status, 409, 'only an archived automation can be unarchived');
      assert.equal((await api('POST', '/api/v1/automations/old/archive')).body.status, 'archived');
      const refused = [
        await api('PUT', '/api/v1/automations/old', { json: { ...def, description: 'edited' } }),
        await api('POST', '/api/v1/automations/old/resume'),
        await api('POST', '/api/v1/automations/old/pause'),
        await api('POST', '/api/v1/automations/old/runs', { json: {} }),
      ];
      for (const res of refused) {
        assert.equal(res.status, 409, res.text);
        assert.match(res.body.error.message, /archived/);
        assert.match(res.body.error.message, /unarchive/);
      }
      const versions = await api('GET', '/api/v1/automations/old/versions');
      assert.equal(versions.body.items.length, 1, 'the refused PUT wrote no version');
      const back = await api('POST', '/api/v1/automations/old/unarchive');
      assert.equal(back.status, 200, back.text);
      assert.equal(back.body.status, 'paused');
      assert.equal((await api('PUT', '/api/v1/automations/old', { json: { ...def, description: 'edited' } })).status, 200);
      assert.equal((await api('POST', '/api/v1/automations/old/resume')).body.status, 'active');
      assert.equal((await api('POST', '/api/v1/automations/old/runs', { json: {} })).status, 201);
    });
  });
}
