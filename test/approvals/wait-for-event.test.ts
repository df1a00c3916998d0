// wait_for_event through the engine, on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, type RotaError } from '../../src/errors.js';
import { forEachDialect, makeNode, stepOf, uniqueName, type TestNode } from '../support/node.js';

async function waitFlow(node: TestNode, withConfig: Record<string, unknown>): Promise<string> {
  const name = uniqueName('wait');
  await node.apply({
    name,
    inputs: { type: 'object', properties: { order: { type: 'string' } } },
    steps: [
      { id: 'paid', action: 'wait_for_event', with: withConfig },
      { id: 'after', action: 'set', with: { got: '{{ steps.paid.output.data }}' } },
    ],
  });
  return name;
}

forEachDialect('wait_for_event', (db) => {
  test('a matching event published after the wait started completes the step with the event', async () => {
    const node = await makeNode(db);
    const name = await waitFlow(node, { name: 'order.*', filter: { 'data.order': '{{ inputs.order }}' }, timeout: '1m' });
    const order = uniqueName('o');
    // published before the wait started: never matched
    await node.rota.events.emit(node.ws, { name: 'order.paid', data: { order } });
    const run = await node.start(name, { order });
    const waiting = await node.rota.runs.wait(node.ws, run.id, 5_000, { untilWaiting: true });
    assert.equal(waiting.waiting_for, 'event');
    await node.rota.events.emit(node.ws, { name: 'order.paid', data: { order: 'someone-else' } });
    await node.rota.events.emit(node.ws, { name: 'invoice.paid', data: { order } });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await node.get(run.id)).status, 'waiting', 'non-matching events leave the step waiting');
    const event = await node.rota.events.emit(node.ws, { name: 'order.shipped', data: { order, carrier: 'dhl' } });
    const done = await node.waitEnd(run.id);
    assert.equal(done.status, 'succeeded');
    const output = stepOf(done, 'paid').output as Record<string, unknown>;
    assert.equal(output.id, event.id);
    assert.equal(output.name, 'order.shipped');
    assert.deepEqual(output.data, { order, carrier: 'dhl' });
    assert.equal(output.timed_out, false);
    assert.deepEqual(done.output, { got: { order, carrier: 'dhl' } });
    assert.ok((await node.events(run.id)).some((e) => e.type === 'event.matched'));
  });

  test('an event emitted by another run matches too', async () => {
    const node = await makeNode(db);
    const name = await waitFlow(node, { name: 'build.done', timeout: '1m' });
    const run = await node.start(name);
    await node.rota.runs.wait(node.ws, run.id, 5_000, { untilWaiting: true });
    const emitter = uniqueName('emitter');
    await node.apply({ name: emitter, steps: [{ id: 'e', action: 'emit_event', with: { name: 'build.done', data: { ok: true } } }] });
    assert.equal((await node.runToEnd(emitter)).status, 'succeeded');
    const done = await node.waitEnd(run.id);
    assert.equal(done.status, 'succeeded');
    assert.equal((stepOf(done, 'paid').output as { source: string }).source.startsWith('run:'), true);
  });

  test('a wait on order.** is woken by order.paid.late, not by orders.paid.late', async () => {
    const node = await makeNode(db);
    const name = await waitFlow(node, { name: 'order.**', timeout: '1m' });
    const run = await node.start(name);
    await node.rota.runs.wait(node.ws, run.id, 5_000, { untilWaiting: true });
    await node.rota.events.emit(node.ws, { name: 'orders.paid.late', data: { n: 1 } });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await node.get(run.id)).status, 'waiting', 'a different first segment leaves the step waiting');
    await node.rota.events.emit(node.ws, { name: 'order.paid.late', data: { n: 2 } });
    const done = await node.waitEnd(run.id);
    assert.equal(done.status, 'succeeded');
    assert.equal((stepOf(done, 'paid').output as { name: string }).name, 'order.paid.late');
    assert.deepEqual(done.output, { got: { n: 2 } });
  });

  test('timeout: the step fails event_timeout, or continues with on_timeout: continue', async () => {
    const node = await makeNode(db);
    const failing = await waitFlow(node, { name: 'never.happens', timeout: '300ms' });
    const failed = await node.runToEnd(failing);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error?.code, ErrorCode.event_timeout);
    const continuing = await waitFlow(node, { name: 'never.happens', timeout: '300ms', on_timeout: 'continue' });
    const done = await node.runToEnd(continuing);
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(stepOf(done, 'paid').output, { id: null, name: null, data: null, source: null, created_at: null, timed_out: true });
    // a late event matches nothing and fails nothing
    await node.rota.events.emit(node.ws, { name: 'never.happens' });
  });

  test('an invalid filter is a definition error when saved', async () => {
    const node = await makeNode(db);
    await assert.rejects(waitFlow(node, { name: 'x', filter: { 'inputs.x': 1, 'data.n': { $nope: 1 } }, timeout: '1m' }), (err: RotaError) => {
      assert.equal(err.code, ErrorCode.definition_invalid);
      const paths = (err.details as { path: string }[]).map((d) => d.path).join(' ');
      assert.match(paths, /steps\[0\]\.with\.filter/);
      assert.match(JSON.stringify(err.details), /unknown path root/);
      return true;
    });
  });
});
