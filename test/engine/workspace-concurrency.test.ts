// limits.workspaceConcurrency: a cap on a workspace's active (running or waiting) runs that holds
// across nodes; excess runs stay queued and start when a slot frees.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachDialect, makeNode, uniqueName } from '../support/node.js';
import { internalsOf } from '../../src/testing/index.js';

forEachDialect('workspace concurrency', (db) => {
  test('two nodes never run more than the cap of one workspace at once; the rest wait queued', async () => {
    // Two slots per node and a cap of three: a cap kept per node would let four run; meeting
    // three at once takes both nodes.
    const config = { limits: { maxDepth: 16, workspaceConcurrency: 3 }, worker: { concurrency: 2 } };
    const a = await makeNode(db, { config });
    const b = await makeNode(db, { config });
    const [slow, other] = [uniqueName('slow'), uniqueName('other')];
    // two automations: the cap is the workspace's, not an automation's
    for (const name of [slow, other]) await a.apply({ name, steps: [{ id: 'wait', action: 'probe', with: { delay_ms: 250 } }] });
    const started = [];
    for (let i = 0; i < 8; i++) started.push(await (i % 2 ? a : b).start(i % 3 ? slow : other));
    const store = internalsOf(a.rota).store.db;
    let most = 0;
    let sawQueued = false;
    const owners = new Set<string>();
    for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
      const rows = await store.selectFrom('runs').select(['status', 'lease_owner']).where('id', 'in', started.map((r) => r.id)).execute();
      const active = rows.filter((r) => r.status === 'running' || r.status === 'waiting');
      for (const r of active) if (r.lease_owner) owners.add(r.lease_owner);
      most = Math.max(most, active.length);
      if (active.length === 3 && rows.some((r) => r.status === 'queued')) sawQueued = true;
      if (rows.every((r) => r.status === 'succeeded')) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const run of started) assert.equal((await a.waitEnd(run.id)).status, 'succeeded');
    assert.equal(most, 3, 'at most three runs of the workspace active at once');
    assert.ok(sawQueued, 'excess runs waited queued while three ran');
    assert.equal(owners.size, 2, 'both nodes ran some of the runs');
  });
});
