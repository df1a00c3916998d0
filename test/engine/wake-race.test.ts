/**
 * A wake that arrives while its step is still running (an approval decided, an event matched or a
 * child run finished before the step committed its suspension) is not lost: the suspension keeps
 * the earlier wake time and the run is claimable at once, whichever node or process wrote it.
 */
import { internalsOf } from '../../src/testing/index.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Rota } from '../../src/node/rota.js';
import { wakeRun } from '../../src/store/runs.js';
import type { ActionDefinition } from '../../src/actions/types.js';
import { forEachDialect, makeNode, uniqueName } from '../support/node.js';

forEachDialect('engine: wakes written while a step runs', (db) => {
  test('a wake before the suspension commits resumes the run at once (not at its deadline)', async () => {
    let rota: Rota | null = null;
    let calls = 0;
    const early: ActionDefinition = {
      type: 'early_wake',
      description: 'wakes itself before suspending without a timer',
      configSchema: { type: 'object' },
      handler: async (ctx) => {
        calls++;
        if (ctx.state === undefined) {
          // What a decision arriving on another node does, before this suspension is committed.
          await wakeRun(internalsOf(rota!).store.db, ctx.run.id, ctx.step.id, Date.now());
          return ctx.suspend('approval', null, { asked: true });
        }
        return { resumed: true };
      },
    };
    const node = await makeNode(db, { actions: [early], config: { worker: { concurrency: 4 } } });
    rota = node.rota;
    try {
      const name = uniqueName('wake-race');
      await node.apply({ name, steps: [{ id: 'ask', action: 'early_wake' }], execution: { timeout: '1h' } });
      const done = await node.waitEnd((await node.start(name)).id, 5_000);
      assert.equal(done.status, 'succeeded', `run is ${done.status}; the early wake was lost`);
      assert.deepEqual(done.output, { resumed: true });
      assert.equal(calls, 2);
    } finally {
      await node.stop();
    }
  });
});
