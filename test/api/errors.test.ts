// The error mapper and the JSON locator are pure enough to test without a database: the service
// here is a stub whose methods throw, which is exactly what the mapper has to survive.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createApi } from '../../src/api/server.js';
import { jsonErrorOffset } from '../../src/api/json-error.js';
import { NotFoundError, RateLimitedError } from '../../src/errors.js';
import type { RotaService } from '../../src/node/service.js';

function stubService(startRun: () => Promise<never>): RotaService {
  const principal = { token_id: 't', workspace_id: 'ws1', scopes: ['admin'] };
  return {
    nodeId: 'n',
    tokens: { authenticate: async () => principal },
    workspaces: { get: async () => ({ id: 'ws1', name: 'one' }) },
    runs: { start: startRun },
    health: async () => ({ ok: false, database: 'down', node: 'n' }),
  } as unknown as RotaService;
}

const auth = { authorization: 'Bearer rota_x', 'content-type': 'application/json' };

describe('api: error mapping', () => {
  test('an unexpected error is a 500 `internal` with a generic message, logged, never a stack', async () => {
    const logged: unknown[] = [];
    const app = createApi(stubService(async () => { throw new Error('boom: db password is hunter2'); }), {
      maxBodyBytes: 1000,
      defaultWorkspace: 'default',
      logger: { error: (data, message) => logged.push({ data, message }) },
    });
    const res = await app.request('/api/v1/automations/a/runs', { method: 'POST', headers: auth, body: '{}' });
    assert.equal(res.status, 500);
    const text = await res.text();
    assert.deepEqual(JSON.parse(text), { error: { code: 'internal', message: 'internal error; see the server log', details: null } });
    assert.ok(!text.includes('hunter2'));
    assert.equal(logged.length, 1);
  });

  test('service errors keep their code and status; rate limits carry Retry-After', async () => {
    const missing = createApi(stubService(async () => { throw new NotFoundError('automation "a" not found'); }), { maxBodyBytes: 1000, defaultWorkspace: 'd' });
    const res = await missing.request('/api/v1/automations/a/runs', { method: 'POST', headers: auth, body: '{}' });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as any).error.code, 'not_found');
    const limited = createApi(stubService(async () => { throw new RateLimitedError('over the fire limit', 12.5); }), { maxBodyBytes: 1000, defaultWorkspace: 'd' });
    const res2 = await limited.request('/api/v1/automations/a/runs', { method: 'POST', headers: auth, body: '{}' });
    assert.equal(res2.status, 429);
    assert.equal(res2.headers.get('retry-after'), '13');
    assert.deepEqual(((await res2.json()) as any).error.details, { retry_after_s: 12.5 });
  });

  test('readyz is 503 when the service says it is not healthy', async () => {
    const app = createApi(stubService(async () => { throw new Error('unused'); }), { maxBodyBytes: 1000, defaultWorkspace: 'd' });
    const res = await app.request('/readyz');
    assert.equal(res.status, 503);
    assert.equal(((await res.json()) as any).error.code, 'unavailable');
  });

  test('zod failures list every {path, message}', async () => {
    const app = createApi(stubService(async () => { throw new Error('unused'); }), { maxBodyBytes: 1000, defaultWorkspace: 'd' });
    const res = await app.request('/api/v1/events', { method: 'POST', headers: auth, body: '{"name": 5, "extra": true}' });
    assert.equal(res.status, 400);
    const body = (await res.json()) as any;
    assert.equal(body.error.code, 'invalid_request');
    assert.deepEqual(body.error.details.map((d: { path: string }) => d.path).sort(), ['$', '$.name']);
  });
});

describe('api: JSON error offsets', () => {
  const cases: [string, number][] = [
    ['{"a":1}', -1],
    ['[[[]]]', -1],
    [' {"a": [1, {"b": null}], "c": "\\u00e9"} ', -1],
    ['{"a":1,}', 7],
    ['[1,2', 4],
    ['{"name": "x",\n "steps": [}', 25],
    ['', 0],
    ['"abc', 0],
    ['1 2', 2],
    ['{"a" 1}', 5],
    ['-01', 2],
    ['tru', 0],
    ['{"\\q":1}', 1],
    ['['.repeat(100_000), 100_000],
  ];
  for (const [text, offset] of cases) {
    test(`${JSON.stringify(text.slice(0, 30))} → ${offset}`, () => {
      assert.equal(jsonErrorOffset(text), offset);
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      assert.equal(valid, offset === -1, 'agrees with JSON.parse');
    });
  }
});
