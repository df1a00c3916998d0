/**
 * Concurrency on a FakeClock: actions wait on gates the test opens, time moves only when the test
 * moves it, and "held back" is read from the run's claim_at (the worker pushes a run it may not
 * start yet to now + 5 s), so every assertion is about a decision the worker made.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { internalsOf } from '../../src/testing/index.js';
import { FakeClock } from '../support/fake-clock.js';
import type { Call } from './actions.js';
import { eventually, forEachDialect, makeNode, uniqueName, type TestNode } from '../support/node.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');
/** The worker re-checks a run held back by concurrency this long after deciding. */
const RECHECK_MS = 5_000;

const gated = { type: 'object', properties: { gate: { type: 'string' }, repo: { type: 'string' } }, required: ['gate'] };

function overlap(a: Call, b: Call): boolean {
  return a.startSeq < b.endSeq! && b.startSeq < a.endSeq!;
}

async function rows(node: TestNode, ids: string[]): Promise<Map<string, { status: string; claim_at: number | null }>> {
  const found = await internalsOf(node.rota).store.db.selectFrom('runs').select(['id', 'status', 'claim_at']).where('id', 'in', ids).execute();
  return new Map(found.map((r) => [r.id, { status: r.status, claim_at: r.claim_at === null ? null : Number(r.claim_at) }]));
}

/** Waits until exactly `running` are running and `held` are queued, held back by the worker at `at`. */
async function expectState(node: TestNode, running: string[], held: string[], at: number): Promise<void> {
  const want = (m: Map<string, { status: string; claim_at: number | null }>) =>
    running.every((id) => m.get(id)?.status === 'running') && held.every((id) => m.get(id)?.status === 'queued' && m.get(id)?.claim_at === at + RECHECK_MS);
  await eventually(async () => (want(await rows(node, [...running, ...held])) ? true : undefined), 5_000, `${running.length} running, ${held.length} held back`);
}

async function ended(node: TestNode, id: string): Promise<string> {
  return eventually(async () => {
    const { status } = await node.get(id);
    return status === 'succeeded' || status === 'failed' || status === 'canceled' || status === 'timed_out' ? status : undefined;
  }, 8_000, `run ${id} to end`);
}

forEachDialect('engine: concurrency', (db) => {
  test('worker.concurrency bounds the actions running at once on a node; a freed slot is refilled without a poll', async () => {
    const clock = new FakeClock(T0);
    const node = await makeNode(db, { clock, config: { worker: { concurrency: 2 } } });
    const name = uniqueName('slots');
    await node.apply({ name, inputs: gated, steps: [{ id: 'a', action: 'probe', with: { gate: '{{ inputs.gate }}' } }] });
    const runs: { id: string }[] = [];
    for (let i = 0; i < 6; i++) runs.push(await node.start(name, { gate: `${name}-${i}` }));
    const calls = () => node.recorder.ofAutomation(name);
    for (let done = 0; done < 6; done++) {
      const started = Math.min(6, done + 2);
      await eventually(() => (calls().length === started && node.recorder.active === started - done ? true : undefined), 5_000, `${started} started, ${done} ended`);
      const statuses = await Promise.all(runs.map(async (r) => (await node.get(r.id)).status));
      assert.equal(statuses.filter((s) => s === 'running').length, started - done, statuses.join());
      assert.equal(statuses.filter((s) => s === 'queued').length, 6 - started, statuses.join());
      // the oldest running call finishes; the slot it frees goes to the next queued run
      const oldest = calls().find((c) => c.result === 'running')!;
      node.recorder.open((oldest.config as { gate: string }).gate);
      assert.equal(await ended(node, oldest.runId), 'succeeded');
    }
    for (const r of runs) assert.equal(await ended(node, r.id), 'succeeded');
    assert.equal(calls().length, 6);
    assert.equal(node.recorder.maxActive, 2, 'never more than 2 at once, and the 2 slots were used');
    const order = calls();
    for (let k = 2; k < order.length; k++) {
      assert.ok(order[k].startSeq > order[k - 2].endSeq!, `call ${k} started before call ${k - 2} freed its slot`);
      assert.ok(order[k].startSeq < order[k - 1].endSeq!, `call ${k} waited for call ${k - 1} although a slot was free`);
    }
    assert.equal(clock.t, T0, 'no time passed: nothing waited for a poll');
  });

  test('execution.concurrency: 1 keeps excess runs queued; runs of the automation never overlap', async () => {
    const clock = new FakeClock(T0);
    const node = await makeNode(db, { clock });
    const name = uniqueName('serial');
    await node.apply({ name, inputs: gated, execution: { concurrency: 1 }, steps: [{ id: 'a', action: 'probe', with: { gate: '{{ inputs.gate }}' } }] });
    const runs: { id: string }[] = [];
    for (let i = 0; i < 3; i++) runs.push(await node.start(name, { gate: `${name}-${i}` }));
    const ids = runs.map((r) => r.id);
    for (let done = 0; done < 3; done++) {
      const call = await eventually(() => node.recorder.ofAutomation(name).find((c) => c.result === 'running'), 5_000, 'a run to start');
      await expectState(node, [call.runId], ids.filter((id) => id !== call.runId && !node.recorder.of(id).length), T0);
      assert.equal(node.recorder.active, 1);
      node.recorder.open((call.config as { gate: string }).gate);
      assert.equal(await ended(node, call.runId), 'succeeded');
    }
    for (const r of runs) assert.equal(await ended(node, r.id), 'succeeded');
    const calls = node.recorder.ofAutomation(name);
    assert.deepEqual(calls.map((c) => c.runId).sort(), [...ids].sort());
    for (let i = 0; i < calls.length; i++) for (let j = i + 1; j < calls.length; j++) assert.ok(!overlap(calls[i], calls[j]), `runs ${i} and ${j} overlapped`);
    assert.equal(node.recorder.maxActive, 1);
    assert.equal(clock.t, T0, 'a finished run woke the next one at once, not the 5 s re-check');
  });

  test('a waiting run counts against execution.concurrency (it holds no slot, but its place)', async () => {
    const clock = new FakeClock(T0);
    const node = await makeNode(db, { clock });
    const name = uniqueName('serial-wait');
    await node.apply({ name, execution: { concurrency: 1 }, steps: [{ id: 'a', action: 'probe', retry: { max_retries: 1, base_delay: '400ms', backoff: 'fixed', jitter: false }, with: { fail_times: 1 } }] });
    const first = await node.start(name);
    await eventually(async () => ((await node.get(first.id)).status === 'waiting' ? true : undefined), 5_000, 'the first run to wait');
    const second = await node.start(name);
    await expectState(node, [], [second.id], T0);
    assert.equal((await rows(node, [first.id])).get(first.id)?.claim_at, T0 + 400, 'the first run is due at its retry');
    await clock.set(T0 + 399);
    assert.equal(node.recorder.ofAutomation(name).length, 1, 'nothing ran before the retry was due');
    await clock.set(T0 + 400);
    assert.equal(await ended(node, first.id), 'succeeded');
    // the first run ending starts the second at once; it fails once too and retries 400 ms later
    await eventually(async () => ((await node.get(second.id)).status === 'waiting' ? true : undefined), 5_000, 'the second run to wait');
    assert.equal(Date.parse((await node.get(second.id)).started_at!), T0 + 400);
    await clock.set(T0 + 800);
    assert.equal(await ended(node, second.id), 'succeeded');
    const [a1, a2, b1, b2] = node.recorder.ofAutomation(name);
    assert.deepEqual([a1.runId, a2.runId, b1.runId, b2.runId], [first.id, first.id, second.id, second.id]);
    assert.ok(a2.endSeq! < b1.startSeq, 'the second run started after the first ended');
  });

  test('concurrency_key: different keys run in parallel, the same key is serialized', async () => {
    const clock = new FakeClock(T0);
    const node = await makeNode(db, { clock });
    const name = uniqueName('keyed');
    await node.apply({
      name,
      inputs: gated,
      execution: { concurrency: 1, concurrency_key: '{{ inputs.repo }}' },
      steps: [{ id: 'a', action: 'probe', with: { gate: '{{ inputs.gate }}', output: { repo: '{{ inputs.repo }}' } } }],
    });
    const a1 = await node.start(name, { repo: 'acme/a', gate: `${name}-a1` });
    const a2 = await node.start(name, { repo: 'acme/a', gate: `${name}-a2` });
    const b1 = await node.start(name, { repo: 'acme/b', gate: `${name}-b1` });
    await eventually(() => (node.recorder.active === 2 ? true : undefined), 5_000, 'a1 and b1 to run');
    await expectState(node, [a1.id, b1.id], [a2.id], T0);
    node.recorder.open(`${name}-a1`);
    await eventually(() => (node.recorder.of(a2.id).length === 1 ? true : undefined), 5_000, 'a2 to start after a1');
    assert.equal(node.recorder.of(b1.id)[0].result, 'running', 'b1 still runs beside a2');
    node.recorder.open(`${name}-b1`);
    node.recorder.open(`${name}-a2`);
    for (const r of [a1, a2, b1]) assert.equal(await ended(node, r.id), 'succeeded');
    const call = (id: string) => node.recorder.of(id)[0];
    assert.ok(overlap(call(a1.id), call(b1.id)), 'different keys overlapped');
    assert.ok(overlap(call(a2.id), call(b1.id)), 'different keys overlapped');
    assert.ok(!overlap(call(a1.id), call(a2.id)), 'the same key never overlapped');
  });
});
