import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Call } from './actions.js';
import { eventually, forEachDialect, makeNode, uniqueName } from '../support/node.js';

function overlap(a: Call, b: Call): boolean {
  return a.startSeq < b.endSeq! && b.startSeq < a.endSeq!;
}

forEachDialect('engine: concurrency', (db) => {
  test('worker.concurrency bounds the actions running at once on a node', async () => {
    const node = await makeNode(db, { config: { worker: { concurrency: 2 } } });
    const name = uniqueName('slots');
    await node.apply({ name, steps: [{ id: 'a', action: 'probe', with: { delay_ms: 120 } }] });
    const runs = await Promise.all(Array.from({ length: 6 }, () => node.start(name)));
    for (const r of runs) assert.equal((await node.waitEnd(r.id)).status, 'succeeded');
    assert.equal(node.recorder.calls.length, 6);
    assert.equal(node.recorder.maxActive, 2, 'never more than 2 at once, and the 2 slots were used');
  });

  test('execution.concurrency: 1 keeps excess runs queued; runs of the automation never overlap', async () => {
    const node = await makeNode(db);
    const name = uniqueName('serial');
    await node.apply({ name, execution: { concurrency: 1 }, steps: [{ id: 'a', action: 'probe', with: { delay_ms: 150 } }] });
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await node.start(name));
    await eventually(() => (node.recorder.calls.length > 0 ? true : undefined), 3_000, 'the first run to start');
    const statuses = await Promise.all(runs.map(async (r) => (await node.get(r.id)).status));
    assert.equal(statuses.filter((s) => s === 'running').length, 1, statuses.join());
    assert.equal(statuses.filter((s) => s === 'queued').length, 2, statuses.join());
    for (const r of runs) assert.equal((await node.waitEnd(r.id)).status, 'succeeded');
    const calls = node.recorder.ofAutomation(name);
    assert.equal(calls.length, 3);
    for (let i = 0; i < calls.length; i++) for (let j = i + 1; j < calls.length; j++) assert.ok(!overlap(calls[i], calls[j]), `runs ${i} and ${j} overlapped`);
    assert.equal(node.recorder.maxActive, 1);
  });

  test('a waiting run counts against execution.concurrency (it holds no slot, but its place)', async () => {
    const node = await makeNode(db);
    const name = uniqueName('serial-wait');
    await node.apply({ name, execution: { concurrency: 1 }, steps: [{ id: 'a', action: 'probe', retry: { max_retries: 1, base_delay: '400ms', backoff: 'fixed', jitter: false }, with: { fail_times: 1 } }] });
    const first = await node.start(name);
    await eventually(async () => ((await node.get(first.id)).status === 'waiting' ? true : undefined), 3_000, 'the first run to wait');
    const second = await node.start(name);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal((await node.get(second.id)).status, 'queued');
    assert.equal((await node.waitEnd(first.id)).status, 'succeeded');
    assert.equal((await node.waitEnd(second.id)).status, 'succeeded');
    const [a1, a2, b1] = node.recorder.ofAutomation(name);
    assert.deepEqual([a1.runId, a2.runId, b1.runId], [first.id, first.id, second.id]);
  });

  test('concurrency_key: different keys run in parallel, the same key is serialized', async () => {
    const node = await makeNode(db);
    const name = uniqueName('keyed');
    await node.apply({
      name,
      inputs: { type: 'object', properties: { repo: { type: 'string' } }, required: ['repo'] },
      execution: { concurrency: 1, concurrency_key: '{{ inputs.repo }}' },
      steps: [{ id: 'a', action: 'probe', with: { delay_ms: 200, output: { repo: '{{ inputs.repo }}' } } }],
    });
    const a1 = await node.start(name, { repo: 'acme/a' });
    const a2 = await node.start(name, { repo: 'acme/a' });
    const b1 = await node.start(name, { repo: 'acme/b' });
    for (const r of [a1, a2, b1]) assert.equal((await node.waitEnd(r.id)).status, 'succeeded');
    const call = (id: string) => node.recorder.of(id)[0];
    assert.ok(overlap(call(a1.id), call(b1.id)), 'different keys overlapped');
    assert.ok(!overlap(call(a1.id), call(a2.id)), 'the same key never overlapped');
  });
});
