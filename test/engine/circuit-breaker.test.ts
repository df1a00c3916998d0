// execution.pause_after_failures: N consecutive failed runs pause the automation (durably, across
// nodes), automation.paused is published with the reason; a success resets; a cancel does neither.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, forEachDialect, makeNode, uniqueName, type TestNode } from '../support/node.js';
import { ConflictError } from '../../src/errors.js';

function breaker(name: string, n: number) {
  return {
    name,
    inputs: { type: 'object', properties: { fail: { type: 'boolean' } } },
    execution: { pause_after_failures: n },
    steps: [{ id: 'maybe', action: 'probe', if: { 'inputs.fail': true }, with: { fail_times: 100, fail_kind: 'non_retriable' } }],
  };
}

async function runWith(node: TestNode, name: string, fail: boolean) {
  return (await node.runToEnd(name, { fail })).status;
}

forEachDialect('circuit breaker', (db) => {
  test('N consecutive failures pause the automation, across nodes, and publish automation.paused', async () => {
    const name = uniqueName('breaker');
    const watcher = uniqueName('watcher');
    const first = await makeNode(db);
    await first.apply(breaker(name, 2));
    await first.apply({ name: watcher, triggers: [{ id: 'p', type: 'event', name: 'automation.paused', filter: { 'data.automation': name } }], steps: [{ id: 'a', action: 'probe' }] });
    assert.equal(await runWith(first, name, true), 'failed');
    let view = await first.rota.automations.get(first.ws, name);
    assert.deepEqual([view.status, view.consecutive_failures, view.paused], ['active', 1, null]);
    await first.stop();

    // the count is on the automation row: another node (or a restart) goes on from it
    const second = await makeNode(db);
    assert.equal(await runWith(second, name, true), 'failed');
    view = await eventually(async () => {
      const v = await second.rota.automations.get(second.ws, name);
      return v.status === 'paused' ? v : undefined;
    }, 5_000, 'the automation paused');
    assert.equal(view.paused?.reason, 'circuit_breaker');
    assert.equal(view.consecutive_failures, 2);
    const heard = await eventually(async () => {
      const page = await second.rota.runs.list(second.ws, { automation: watcher });
      return page.items[0];
    }, 10_000, 'automation.paused consumed');
    const data = (heard.activation as { data: { reason: string; failures: number } }).data;
    assert.deepEqual({ reason: data.reason, failures: data.failures }, { reason: 'circuit_breaker', failures: 2 });
    await assert.rejects(second.start(name, { fail: false }), ConflictError);

    // resuming clears the reason and the count
    await second.rota.automations.setStatus(second.ws, name, 'active');
    view = await second.rota.automations.get(second.ws, name);
    assert.deepEqual([view.status, view.consecutive_failures, view.paused], ['active', 0, null]);
  });

  test('a success resets the count; a canceled run neither counts nor resets', async () => {
    const node = await makeNode(db);
    const name = uniqueName('resets');
    await node.apply(breaker(name, 2));
    assert.equal(await runWith(node, name, true), 'failed');
    assert.equal(await runWith(node, name, false), 'succeeded');
    assert.equal(await runWith(node, name, true), 'failed');
    assert.equal((await node.rota.automations.get(node.ws, name)).consecutive_failures, 1);

    const sleeper = uniqueName('sleeper');
    await node.apply({ ...breaker(sleeper, 2), steps: [...breaker(sleeper, 2).steps, { id: 'nap', action: 'sleep', with: { duration: '1h' } }] });
    assert.equal(await runWith(node, sleeper, true), 'failed');
    const run = await node.start(sleeper, { fail: false });
    await eventually(async () => ((await node.get(run.id)).status === 'waiting' ? true : undefined), 5_000, 'asleep');
    await node.rota.runs.cancel(node.ws, run.id);
    assert.equal((await node.waitEnd(run.id)).status, 'canceled');
    const view = await node.rota.automations.get(node.ws, sleeper);
    assert.deepEqual([view.status, view.consecutive_failures], ['active', 1]);
  });
});
