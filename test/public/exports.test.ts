/**
 * The package as users see it: only `rota` and `rota/client`, resolved by Node through the package's
 * own "exports" (the built dist/), never src/. An embedded SQLite node serves its API on loopback;
 * the typed client applies an automation, runs it and reads the run back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as root from 'rota';
import { createRota, ErrorCode, NotFoundError, RotaError, serveRota, type ActionDefinition } from 'rota';
import { createClient, RotaApiError } from 'rota/client';

test('the root export offers the engine, serving and the error classes, not the internal code mappings', () => {
  for (const name of ['createRota', 'serveRota', 'resolveConfig', 'ErrorCode', 'RotaError', 'NotFoundError', 'ValidationError', 'NonRetriableError']) {
    assert.notEqual((root as Record<string, unknown>)[name], undefined, `rota exports ${name}`);
  }
  for (const name of ['httpStatusFor', 'exitCodeFor', 'toErrorShape']) assert.equal(name in root, false, `rota does not export ${name}`);
  assert.ok(new NotFoundError('x') instanceof RotaError);
  assert.equal(new NotFoundError('x').code, ErrorCode.not_found);
});

test('an embedded node serves its API; rota/client applies, runs and reads an automation', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'rota-public-'));
  const greet: ActionDefinition<{ name: string }, { text: string }> = {
    type: 'greet',
    description: 'Says hello',
    configSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    handler: async (ctx) => ({ text: `hello ${ctx.config.name}` }),
  };
  const rota = await createRota({ config: { dataDir, logLevel: 'silent' }, actions: [greet] });
  const { adminToken } = await rota.bootstrap();
  await rota.start();
  const server = await serveRota(rota, { host: '127.0.0.1', port: 0 });
  try {
    assert.ok(adminToken, 'a fresh database prints an admin token');
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const client = createClient({ url: server.url, token: adminToken });
    const applied = await client.automations.apply('hi', { name: 'hi', steps: [{ id: 'a', action: 'greet', with: { name: 'Ada' } }] });
    assert.equal(applied.automation.name, 'hi');
    const { run, created } = await client.automations.run('hi', { inputs: {}, wait: '10s' });
    assert.equal(created, true);
    assert.equal(run.status, 'succeeded');
    const read = await client.runs.get(run.id);
    assert.equal(read.id, run.id);
    assert.equal(read.automation, 'hi');
    assert.deepEqual(read.steps?.map((s) => [s.id, s.status, s.output]), [['a', 'succeeded', { text: 'hello Ada' }]]);
    await assert.rejects(client.runs.get('nope'), (err: unknown) => err instanceof RotaApiError && err.status === 404 && err.code === ErrorCode.not_found);
    await assert.rejects(createClient({ url: server.url, token: 'rota_wrong' }).runs.get(run.id), (err: unknown) => err instanceof RotaApiError && err.status === 401);
  } finally {
    await server.close();
    await rota.stop({ graceMs: 0 });
    await rm(dataDir, { recursive: true, force: true });
  }
});
