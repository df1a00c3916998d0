// A cancel that races a run's own suspension (the run is committing `waiting` for an approval,
// which has no wake time) must still end the run `canceled`: the cancel locks the run row, and a
// suspension committed after a cancel request makes the run claimable at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, forEachDialect, makeNode, uniqueName } from '../support/node.js';

forEachDialect('engine: cancel racing a suspension', (db) => {
  test('runs canceled while they suspend on an approval all end canceled', async () => {
    const node = await makeNode(db);
    const name = uniqueName('cancel-race');
    await node.apply({ name, steps: [{ id: 'ask', action: 'approval', with: { message: 'go?' } }] });
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) {
      const run = await node.start(name);
      ids.push(run.id);
      // from at once to well after the suspension committed
      await new Promise((resolve) => setTimeout(resolve, i % 6));
      await node.rota.runs.cancel(node.ws, run.id);
    }
    const statuses = await eventually(async () => {
      const all = await Promise.all(ids.map(async (id) => (await node.get(id)).status));
      return all.every((s) => s === 'canceled') ? all : undefined;
    }, 10_000, 'every run canceled').catch(async (err: Error) => {
      const all = await Promise.all(ids.map(async (id) => (await node.get(id)).status));
      throw new Error(`${err.message}: ${all.join(',')}`);
    });
    assert.equal(statuses.length, 24);
  });
});
