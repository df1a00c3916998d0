/**
 * Trigger control through the API against a real node (SQLite and PostgreSQL): enabling and
 * disabling a webhook trigger takes effect for the very next delivery on the same node (no cached
 * endpoint outlives the answer), the schedule preview's `from` parameter, trigger health of single
 * fires (events, webhooks), and a webhook secret whose environment variable is unset.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { apiClient, startTestServer, type ApiCall, type TestServer } from '../api/harness.js';
import { DIALECTS } from '../support/node.js';

const step = [{ id: 'a', action: 'set', with: { ok: true } }];

for (const dialect of DIALECTS) {
  describe(`trigger control (${dialect})`, () => {
    let server: TestServer;
    let api: ApiCall;

    before(async () => {
      server = await startTestServer({ dialect, config: { secretKey: randomBytes(32).toString('base64') } });
      api = apiClient(server.url, server.adminToken);
    });
    after(async () => server?.close());

    const deliver = async (path: string) =>
      (await fetch(`${server.url}${path}`, { method: 'POST', headers: { authorization: 'Bearer tok-secret', 'content-type': 'application/json' }, body: '{}' })).status;

    test('disable and enable apply to the next delivery at once, even right after a cached lookup', async () => {
      const definition = { name: 'toggle-hook', triggers: [{ id: 'tok', type: 'webhook', verify: { scheme: 'token', secret: 'tok-secret' } }], steps: step };
      assert.equal((await api('POST', '/api/v1/automations', { json: definition })).status, 201);
      const path = (await api('GET', '/api/v1/automations/toggle-hook')).body.triggers[0].webhook_path as string;
      for (let round = 0; round < 3; round++) {
        assert.equal(await deliver(path), 202, 'enabled: a run (and the endpoint row is now cached)');
        assert.equal((await api('POST', '/api/v1/automations/toggle-hook/triggers/tok/disable')).status, 200);
        assert.equal(await deliver(path), 409, 'disabled at once: no run');
        assert.equal((await api('POST', '/api/v1/automations/toggle-hook/triggers/tok/enable')).status, 200);
        assert.equal(await deliver(path), 202, 'enabled at once: no 409');
      }
      assert.equal((await api('GET', '/api/v1/runs?automation=toggle-hook')).body.items.length, 6);
    });

    test('the preview takes ?from= and answers a bad one with 400 naming the parameter', async () => {
      const definition = { name: 'berlin', triggers: [{ id: 'night', type: 'schedule', cron: '0 3 * * *', timezone: 'Europe/Berlin' }], steps: step };
      assert.equal((await api('POST', '/api/v1/automations', { json: definition })).status, 201);
      const got = await api('GET', '/api/v1/automations/berlin/schedule?count=2&from=2026-03-28T03:00:00%2B01:00');
      assert.equal(got.status, 200);
      assert.deepEqual(got.body.items[0].next_local, ['2026-03-28T03:00:00+01:00', '2026-03-29T03:00:00+02:00']);
      assert.deepEqual(got.body.items[0].next, ['2026-03-28T02:00:00.000Z', '2026-03-29T01:00:00.000Z']);
      assert.equal(got.body.items[0].paused, false);
      for (const bad of ['tomorrow', '2026-03-28', '2026-03-28T03:00:00', '2026-13-45T99:00:00Z']) {
        const res = await api('GET', `/api/v1/automations/berlin/schedule?from=${encodeURIComponent(bad)}`);
        assert.equal(res.status, 400, bad);
        assert.equal(res.body.error.code, 'invalid_request');
        assert.match(res.body.error.message, /from/);
        assert.equal(res.body.error.details[0].path, 'query.from');
      }
    });

    test('event fires that fail to start a run count up per trigger; a good one resets the count', async () => {
      const definition = {
        name: 'ev-health',
        inputs: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
        triggers: [{ id: 'on', type: 'event', name: 'health.ping', inputs: { n: '{{ data.n }}' } }],
        steps: step,
      };
      assert.equal((await api('POST', '/api/v1/automations', { json: definition })).status, 201);
      const health = async () => {
        const t = (await api('GET', '/api/v1/automations/ev-health/triggers')).body.items[0];
        return [t.consecutive_failures, t.last_failure];
      };
      assert.deepEqual(await health(), [0, null]);
      for (const n of ['x', 'y']) assert.equal((await api('POST', '/api/v1/events', { json: { name: 'health.ping', data: { n } } })).status, 202);
      const [count, error] = await health();
      assert.equal(count, 2);
      assert.match(error, /^invalid_inputs: .*\$\.n/);
      assert.equal((await api('POST', '/api/v1/events', { json: { name: 'health.ping', data: { n: 3 } } })).status, 202);
      assert.deepEqual(await health(), [0, error]);
    });

    test('a webhook secret read from an unset variable: an apply warning, the triggers list, the delivery log', async () => {
      delete process.env.ROTA_TEST_UNSET_SECRET;
      const definition = { name: 'env-hook', triggers: [{ id: 'h', type: 'webhook', verify: { scheme: 'token', secret: { env: 'ROTA_TEST_UNSET_SECRET' } } }], steps: step };
      const created = await api('POST', '/api/v1/automations', { json: definition });
      assert.equal(created.status, 201);
      assert.deepEqual(created.body.warnings.map((w: { path: string }) => w.path), ['$.triggers[0].verify.secret.env']);
      assert.match(created.body.warnings[0].message, /ROTA_TEST_UNSET_SECRET is not set/);
      const trigger = (await api('GET', '/api/v1/automations/env-hook/triggers')).body.items[0];
      assert.equal(trigger.secret_env_unset, 'ROTA_TEST_UNSET_SECRET');
      const path = created.body.triggers[0].webhook_path as string;
      assert.equal(await deliver(path), 401);
      const log = await api('GET', '/api/v1/automations/env-hook/triggers/h/deliveries');
      assert.equal(log.body.unauthenticated.last_reason, 'secret_unset');
      const fine = await api('PUT', '/api/v1/automations/toggle-hook', { json: { name: 'toggle-hook', triggers: [{ id: 'tok', type: 'webhook', verify: { scheme: 'token', secret: 'tok-secret' } }], steps: step } });
      assert.equal(fine.body.warnings, undefined, 'no warnings: the answer is the automation alone');
    });
  });
}
