// Pin, unpin and prune through the built binary against a real `rota serve`, and the API's
// status codes for them (404 unknown run, 403 prune without admin).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli, startServe, tempDir, type Served } from './serve.js';

const KEEP_ONE = `name: keep-one
execution: { retention: { max_runs: 1 } }
steps:
  - id: a
    action: set
    with: { x: 1 }
`;

describe('rota runs pin / unpin / prune against rota serve', () => {
  let server: Served;
  const cli = (args: string[]) => runCli(args, { env: server.cliEnv() });

  before(async () => {
    // the sweeper is off: only `rota runs prune` deletes here
    server = await startServe({ env: { ROTA_RETENTION: '0' } });
    const defs = tempDir('rota-defs-');
    writeFileSync(join(defs, 'keep-one.yaml'), KEEP_ONE);
    assert.equal((await cli(['apply', '-f', defs])).code, 0);
  });

  after(async () => {
    await server?.stop();
  });

  it('pins a run, dry-runs, prunes the rest and keeps the pinned and newest runs', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await cli(['run', 'keep-one', '--wait']);
      assert.equal(r.code, 0, r.stderr);
      ids.push(/^run (\S+) /m.exec(r.stdout)![1]!);
    }
    const pin = await cli(['runs', 'pin', ids[0]!]);
    assert.equal(pin.code, 0, pin.stderr);
    assert.match(pin.stdout, /pinned/);
    assert.equal((await cli(['runs', 'pin', ids[0]!])).code, 0, 'idempotent');
    const shown = await cli(['runs', 'get', ids[0]!, '--json']);
    assert.equal(JSON.parse(shown.stdout).pinned, true);

    const dry = await cli(['runs', 'prune', '--dry-run', '--automation', 'keep-one', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const preview = JSON.parse(dry.stdout);
    assert.deepEqual(preview.automations[0].prunable, { age: 0, count: 2, keep_failed: 0, total: 2 });
    assert.equal(preview.automations[0].held.pinned, 1);
    const text = await cli(['runs', 'prune', '--dry-run']);
    assert.match(text.stdout, /dry run: 2 runs would be pruned, 1 held back/);

    const prune = await cli(['runs', 'prune', '--automation', 'keep-one']);
    assert.equal(prune.code, 0, prune.stderr);
    assert.match(prune.stdout, /pruned 2 runs \(age 0, count 2, keep_failed 0\)/);
    const left = JSON.parse((await cli(['runs', 'ls', '--automation', 'keep-one', '--json'])).stdout);
    assert.deepEqual(new Set(left.items.map((r: { id: string }) => r.id)), new Set([ids[0], ids[3]]));

    const unpin = await cli(['runs', 'unpin', ids[0]!, '--json']);
    assert.equal(JSON.parse(unpin.stdout).pinned, false);
    assert.match((await cli(['runs', 'prune', '--dry-run'])).stdout, /dry run: 1 runs would be pruned/);
  });

  it('unknown runs and automations are 404s; prune needs admin', async () => {
    const missing = await cli(['runs', 'pin', '01ZZZZZZZZZZZZZZZZZZZZZZZZ']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /not found/);
    const noAuto = await cli(['runs', 'prune', '--dry-run', '--automation', 'nope']);
    assert.match(noAuto.stderr, /automation "nope" not found/);
    const headers = { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' };
    const created = await fetch(`${server.url}/api/v1/tokens`, { method: 'POST', headers, body: JSON.stringify({ name: 'reader', scopes: ['runs:read', 'runs:write'] }) });
    const { token } = (await created.json()) as { token: string };
    const denied = await fetch(`${server.url}/api/v1/retention/prune`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(denied.status, 403);
    const admin = await fetch(`${server.url}/api/v1/retention/prune`, { method: 'POST', headers });
    assert.equal(admin.status, 200);
    assert.equal(((await admin.json()) as { swept: boolean }).swept, true, 'one node here: it swept');
    const preview = await fetch(`${server.url}/api/v1/retention/preview`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(preview.status, 200);
    const pin404 = await fetch(`${server.url}/api/v1/runs/nope/pin`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(pin404.status, 404);
  });
});
