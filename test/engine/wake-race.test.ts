/**
 * A wake that arrives while its step is still running (an approval decided, an event matched or a
 * child run finished before the step committed its suspension) is not lost: the suspension keeps
 * the earlier wake time and the run is claimable at once, whichever node or process wrote it.
 */
import { internalsOf } from '../../src/testing/index.js';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { createRota, type Rota } from '../../src/node/rota.js';
import { wakeRun } from '../../src/store/runs.js';
import type { ActionDefinition } from '../../src/actions/types.js';
import { forEachDialect } from './harness.js';

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
    rota = await createRota({
      config: {
        nodeId: `node-${randomBytes(3).toString('hex')}`,
        dataDir: db.dataDir,
        databaseUrl: db.databaseUrl,
        logLevel: 'silent',
        worker: { concurrency: 4, leaseMs: 10_000, pollMs: 50, shutdownGraceMs: 0, enabled: true },
      },
      actions: [early],
      store: db.sharedStore ?? undefined,
    });
    try {
      await rota.bootstrap();
      await rota.start();
      const ws = (await rota.workspaces.ensure(rota.config.defaultWorkspace)).id;
      const name = `wake-race-${randomBytes(3).toString('hex')}`;
      await rota.automations.apply(ws, { name, steps: [{ id: 'ask', action: 'early_wake' }], execution: { timeout: '1h' } });
      const { run } = await rota.runs.start(ws, name, {});
      const done = await rota.runs.wait(ws, run.id, 5_000);
      assert.equal(done.status, 'succeeded', `run is ${done.status}; the early wake was lost`);
      assert.deepEqual(done.output, { resumed: true });
      assert.equal(calls, 2);
    } finally {
      await rota.stop({ graceMs: 0 });
    }
  });
});
