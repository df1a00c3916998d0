// Stored step logs are capped per step and per run (SPEC §7): the oldest lines go, the failure
// (the last line) stays, earlier steps' lines are never rewritten.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachDialect, makeNode, uniqueName } from '../support/node.js';
import { NonRetriableError } from '../../src/errors.js';
import type { ActionDefinition } from '../../src/actions/types.js';

const chatty: ActionDefinition<{ lines: number; fail?: boolean }, Record<string, unknown>> = {
  type: 'chatty',
  description: 'logs `lines` numbered lines, then fails when `fail`',
  configSchema: { type: 'object' },
  handler: async (ctx) => {
    for (let i = 1; i <= ctx.config.lines; i++) ctx.log.info(`line ${i}`);
    if (ctx.config.fail) {
      ctx.log.error('the failure');
      throw new NonRetriableError('boom');
    }
    return {};
  },
};

forEachDialect('step log caps', (db) => {
  test('per step and per run: oldest dropped, the failure kept', async () => {
    const node = await makeNode(db, { actions: [chatty], config: { limits: { stepLogLines: 10, runLogLines: 25 } } });
    const name = uniqueName('logs');
    await node.apply({
      name,
      steps: [
        { id: 'a', action: 'chatty', with: { lines: 30 } },
        { id: 'b', action: 'chatty', with: { lines: 8 } },
        { id: 'c', action: 'chatty', with: { lines: 50, fail: true } },
      ],
    });
    const run = await node.runToEnd(name);
    assert.equal(run.status, 'failed');
    const logs = Object.fromEntries((run.steps ?? []).map((s) => [s.id, s.logs.map((l) => l.message)]));
    assert.deepEqual(logs.a, Array.from({ length: 10 }, (_, i) => `line ${21 + i}`), 'the step cap keeps the newest 10');
    assert.equal(logs.b!.length, 8);
    // 25 for the run: 10 + 8 stored before, so c keeps its newest 7, ending with the failure
    assert.equal(logs.c!.length, 7);
    assert.equal(logs.c!.at(-1), 'the failure');
    assert.equal(logs.c!.at(-2), 'line 50');
  });
});
