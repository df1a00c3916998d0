import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConflictError } from '../../src/errors.js';
import { eventually, forEachDialect, makeNode, stepOf, uniqueName } from '../support/node.js';

forEachDialect('engine: versions, lifecycle and re-runs', (db) => {
  test('apply: unchanged → changed false; changed → version + 1; a running run stays pinned to its version', async () => {
    const node = await makeNode(db);
    const name = uniqueName('versions');
    const v1 = { name, steps: [{ id: 'a', action: 'probe', with: { gate: `${name}-v1`, output: { from: 'v1' } } }] };
    const first = await node.apply(v1);
    assert.deepEqual([first.created, first.changed, first.automation.version], [true, true, 1]);
    const same = await node.apply(structuredClone(v1));
    assert.deepEqual([same.created, same.changed, same.automation.version], [false, false, 1]);

    const pinned = await node.start(name);
    await eventually(() => (node.recorder.of(pinned.id).length > 0 ? true : undefined), 3_000, 'the v1 run to start');
    const v2 = await node.apply({ name, steps: [{ id: 'a', action: 'probe', with: { output: { from: 'v2' } } }, { id: 'b', action: 'set', with: { extra: true } }] });
    assert.deepEqual([v2.created, v2.changed, v2.automation.version], [false, true, 2]);
    node.recorder.open(`${name}-v1`);
    const done = await node.waitEnd(pinned.id);
    assert.equal(done.version, 1);
    assert.deepEqual(done.steps?.map((s) => s.id), ['a']);
    assert.deepEqual(done.output, { from: 'v1' });

    const next = await node.runToEnd(name);
    assert.equal(next.version, 2);
    assert.deepEqual(next.output, { extra: true });
    assert.deepEqual((await node.rota.automations.versions(node.ws, name)).map((v) => v.version), [2, 1]);
    assert.equal((await node.rota.automations.version(node.ws, name, 1)).definition.steps.length, 1);
  });

  test('a paused automation refuses runs (ConflictError) until resumed', async () => {
    const node = await makeNode(db);
    const name = uniqueName('paused');
    await node.apply({ name, steps: [{ id: 'a', action: 'probe' }] });
    assert.equal((await node.rota.automations.setStatus(node.ws, name, 'paused')).status, 'paused');
    await assert.rejects(node.start(name), ConflictError);
    assert.equal((await node.rota.runs.list(node.ws, { automation: name })).total, 0);
    await node.rota.automations.setStatus(node.ws, name, 'active');
    assert.equal((await node.runToEnd(name)).status, 'succeeded');
  });

  test('source: file automations refuse API apply, accept setStatus, and keep that status across re-applies of the file', async () => {
    const node = await makeNode(db);
    const name = uniqueName('from-file');
    const def = { name, steps: [{ id: 'a', action: 'probe' }] };
    const applied = await node.apply(def, { source: 'file', sourcePath: `/defs/${name}.yaml` });
    assert.equal(applied.automation.source, 'file');
    await assert.rejects(node.apply({ ...def, description: 'edited via API' }), (err: unknown) => {
      assert.ok(err instanceof ConflictError);
      assert.match(err.message, new RegExp(`/defs/${name}\\.yaml`));
      return true;
    });
    assert.equal((await node.rota.automations.get(node.ws, name)).version, 1);
    assert.equal((await node.rota.automations.setStatus(node.ws, name, 'paused')).status, 'paused');

    const same = await node.apply(def, { source: 'file', sourcePath: `/defs/${name}.yaml` });
    assert.equal(same.changed, false);
    assert.equal(same.automation.status, 'paused');
    const edited = await node.apply({ ...def, description: 'edited in the file' }, { source: 'file', sourcePath: `/defs/${name}.yaml` });
    assert.deepEqual([edited.changed, edited.automation.version, edited.automation.status], [true, 2, 'paused']);
    await assert.rejects(node.start(name), ConflictError);
  });

  test('retry of a failed run reuses completed steps and re-executes from the failed step', async () => {
    const node = await makeNode(db);
    const name = uniqueName('retry-run');
    const flag = `${name}-broken`;
    await node.apply({
      name,
      inputs: { type: 'object', properties: { n: { type: 'integer', default: 1 } } },
      steps: [
        { id: 'a', action: 'probe', with: { output: { v: '{{ inputs.n }}' } } },
        { id: 'skipped', action: 'probe', if: { 'inputs.n': 99 } },
        { id: 'b', action: 'probe', with: { fail_if_flag: flag, output: { got: '{{ steps.a.output.v }}' } } },
        { id: 'c', action: 'probe' },
      ],
    });
    node.recorder.flags.add(flag);
    const failed = await node.runToEnd(name, { n: 7 });
    assert.equal(failed.status, 'failed');
    assert.deepEqual(failed.steps?.map((s) => s.status), ['succeeded', 'skipped', 'failed', 'canceled']);

    node.recorder.flags.delete(flag);
    const retried = await node.rota.runs.retry(node.ws, failed.id);
    assert.equal(retried.retry_of, failed.id);
    const done = await node.waitEnd(retried.id);
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(done.inputs, { n: 7 });
    assert.deepEqual(stepOf(done, 'b').output, { got: 7 });
    assert.deepEqual(stepOf(done, 'a').external_ref, { reused_from: failed.id });
    assert.equal(stepOf(done, 'skipped').status, 'skipped');
    assert.deepEqual(node.recorder.of(done.id).map((c) => c.stepId), ['b', 'c'], 'a did not run again');
    assert.equal(node.recorder.ofAutomation(name).filter((c) => c.stepId === 'a').length, 1);
    await assert.rejects(node.rota.runs.retry(node.ws, done.id), ConflictError);
  });

  test('replay starts a fresh run with overridden inputs, optionally on another version', async () => {
    const node = await makeNode(db);
    const name = uniqueName('replay');
    const inputs = { type: 'object', properties: { n: { type: 'integer' }, tag: { type: 'string' } } };
    await node.apply({ name, inputs, steps: [{ id: 'a', action: 'probe', with: { output: { v: 1, n: '{{ inputs.n }}', tag: '{{ inputs.tag }}' } } }] });
    const original = await node.runToEnd(name, { n: 1, tag: 'x' });
    await node.apply({ name, inputs, steps: [{ id: 'a', action: 'probe', with: { output: { v: 2, n: '{{ inputs.n }}', tag: '{{ inputs.tag }}' } } }] });

    const same = await node.waitEnd((await node.rota.runs.replay(node.ws, original.id)).id);
    assert.deepEqual([same.version, same.replay_of, same.output], [1, original.id, { v: 1, n: 1, tag: 'x' }]);
    const other = await node.waitEnd((await node.rota.runs.replay(node.ws, original.id, { inputs: { n: 5 }, version: 2 })).id);
    assert.deepEqual([other.version, other.inputs, other.output], [2, { n: 5, tag: 'x' }, { v: 2, n: 5, tag: 'x' }]);
    assert.equal(node.recorder.ofAutomation(name).length, 3, 'every replay executes its steps');
    await assert.rejects(node.rota.runs.replay(node.ws, original.id, { version: 3 }));
  });

  test('run_automation: a waiting parent gets the child output; wait false returns at once; a failing child fails the parent', async () => {
    const node = await makeNode(db);
    const child = uniqueName('child');
    const parent = uniqueName('parent');
    await node.apply({
      name: child,
      inputs: { type: 'object', properties: { n: { type: 'integer' }, fail: { type: 'boolean', default: false } } },
      steps: [
        { id: 'work', action: 'probe', with: { delay_ms: 100, output: { doubled: ['{{ inputs.n }}', '{{ inputs.n }}'] } } },
        { id: 'maybe-fail', action: 'probe', if: { 'inputs.fail': true }, with: { fail_times: 1, fail_kind: 'non_retriable' } },
        { id: 'out', action: 'set', with: { doubled: '{{ steps.work.output.doubled }}' } },
      ],
    });
    await node.apply({
      name: parent,
      inputs: { type: 'object', properties: { fail: { type: 'boolean', default: false }, wait: { type: 'boolean', default: true } } },
      steps: [
        { id: 'call', action: 'run_automation', with: { automation: child, inputs: { n: 21, fail: '{{ inputs.fail }}' }, wait: '{{ inputs.wait }}' } },
        { id: 'use', action: 'set', with: { result: '{{ steps.call.output }}' } },
      ],
    });

    const waited = await node.runToEnd(parent);
    assert.equal(waited.status, 'succeeded');
    const out = stepOf(waited, 'call').output as { run_id: string; status: string; output: unknown };
    assert.equal(out.status, 'succeeded');
    assert.deepEqual(out.output, { doubled: [21, 21] });
    const childRun = await node.get(out.run_id);
    assert.equal(childRun.parent_run_id, waited.id);
    const waits = (await node.events(waited.id)).filter((e) => e.type === 'run.waiting');
    assert.ok(waits.length >= 1 && waits.every((e) => (e.data as { waiting_for: string }).waiting_for === 'child_run'));

    const detached = await node.runToEnd(parent, { wait: false });
    assert.equal(detached.status, 'succeeded');
    const ref = stepOf(detached, 'call').output as { run_id: string; status?: string };
    assert.deepEqual(Object.keys(ref), ['run_id']);
    assert.equal((await node.waitEnd(ref.run_id)).status, 'succeeded');

    const failing = await node.runToEnd(parent, { fail: true });
    assert.equal(failing.status, 'failed');
    assert.equal(failing.error?.code, 'child_run_failed');
    assert.equal(failing.error?.step_id, 'call');
    const failedChild = (failing.error?.details as { run_id: string; status: string });
    assert.equal(failedChild.status, 'failed');
    assert.equal((await node.get(failedChild.run_id)).status, 'failed');
  });
});
