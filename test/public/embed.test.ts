/**
 * Embedding the node's HTTP API in a host's own server, through the package's exports (dist/):
 * `rotaFetchHandler` under `/rota` in a plain `node:http` server, and `rotaApp` routed into a host
 * Hono app. Webhooks and the REST API answer under the prefix; the host's own routes still work.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { getRequestListener } from '@hono/node-server';
import { createRota, rotaApp, rotaFetchHandler, ValidationError, type Rota } from 'rota';
import { createClient } from 'rota/client';

const hooked = {
  name: 'hooked',
  inputs: { type: 'object', properties: { who: { type: 'string' } } },
  triggers: [{ id: 'in', type: 'webhook', verify: { scheme: 'none' }, inputs: { who: '{{ data.who }}' } }],
  steps: [{ id: 'a', action: 'set', with: { hello: '{{ inputs.who }}' } }],
};

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

describe('embedding the API in a host server', () => {
  let dataDir = '';
  let rota: Rota;
  let token = '';
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rota-embed-'));
    rota = await createRota({ config: { dataDir, logLevel: 'silent' } });
    token = (await rota.bootstrap()).adminToken!;
    await rota.start();
  });
  after(async () => {
    await rota.stop({ graceMs: 0 });
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Applies through the mounted REST API, delivers a webhook under the prefix, reads the run back. */
  async function exercise(base: string): Promise<void> {
    const client = createClient({ url: base, token });
    const applied = await client.automations.apply('hooked', hooked);
    const path = applied.automation.triggers.find((t) => t.id === 'in')?.webhook_path;
    assert.match(path ?? '', /^\/hooks\/default\/\w+/);
    const delivered = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ who: 'host' }) });
    assert.equal(delivered.status, 202, await delivered.clone().text());
    const { runs } = (await delivered.json()) as { runs: { id: string }[] };
    const ws = await rota.workspaces.ensure('default');
    const run = await rota.runs.wait(ws.id, runs[0]!.id, 10_000);
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(run.steps?.[0]?.output, { hello: 'host' });
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    // the document names the prefix it is served under, however the host mounted it
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as { servers: { url: string }[] };
    assert.equal(doc.servers[0]!.url, `${new URL(base).pathname.replace(/\/$/, '')}/`);
    const unauthenticated = await fetch(`${base}/api/v1/runs`);
    assert.equal(unauthenticated.status, 401);
  }

  test('rotaFetchHandler under /rota in a node:http server, beside the host routes', async () => {
    const handle = await rotaFetchHandler(rota, { basePath: '/rota/' });
    const listener = getRequestListener(handle);
    const server = createServer((req, res) => {
      if (req.url === '/rota' || req.url?.startsWith('/rota/')) return void listener(req, res);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('host app');
    });
    const url = await listen(server);
    try {
      assert.equal(await (await fetch(`${url}/`)).text(), 'host app');
      await exercise(`${url}/rota`);
      const doc = (await (await fetch(`${url}/rota/api/openapi.json`)).json()) as { servers: { url: string }[] };
      assert.equal(doc.servers[0]!.url, '/rota/');
      // the handler on its own: a path outside its base gets Rota's 404 shape
      const outside = await handle(new Request('http://x/elsewhere/healthz'));
      assert.equal(outside.status, 404);
      assert.equal(((await outside.json()) as { error: { code: string } }).error.code, 'not_found');
    } finally {
      await close(server);
    }
  });

  test('rotaApp routed into a host Hono app', async () => {
    const host = new Hono();
    host.get('/', (c) => c.text('host hono'));
    host.route('/rota', await rotaApp(rota));
    const server = createServer(getRequestListener(host.fetch));
    const url = await listen(server);
    try {
      assert.equal(await (await fetch(`${url}/`)).text(), 'host hono');
      await exercise(`${url}/rota`);
    } finally {
      await close(server);
    }
  });

  test('a bad basePath is refused with the reason', async () => {
    for (const basePath of ['rota', '/ro ta', '/rota/*', '/:id']) {
      await assert.rejects(rotaFetchHandler(rota, { basePath }), (err: unknown) => err instanceof ValidationError && /invalid basePath .*expected a path such as \/rota/.test(err.message));
    }
  });
});
