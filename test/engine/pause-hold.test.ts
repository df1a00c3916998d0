// Runs queued before their automation is paused are held (not started) until it is resumed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, forEachDialect, makeNode, uniqueName } from '../support/node.js';

const gated = { type: 'object', properties: { gate: { type: 'string' } }, required: ['gate'] };

forEachDialect('engine: pausing holds queued runs', (db) => {
  test('queued runs of a paused automation wait for the resume; then they run', async () => {
    const node = await makeNode(db);
    const name = uniqueName('hold');
    await node.apply({ name, inputs: gated, execution: { concurrency: 1 }, steps: [{ id: 'a', action: 'probe', with: { gate: '{{ inputs.gate }}' } }] });
    const runs = [];
    for (let i = 0; i < 3; i++) runs.push(await node.start(name, { gate: `${name}-${i}` }));
    const first = await eventually(() => node.recorder.ofAutomation(name).find((c) => c.result === 'running'), 5_000, 'a run to start');
    await node.rota.automations.setStatus(node.ws, name, 'paused');
    node.recorder.open((first.config as { gate: string }).gate);
    await eventually(async () => ((await node.get(first.runId)).status === 'succeeded' ? true : undefined), 5_000, 'the running run to end');
    // long enough for a claim pass (poll 50 ms) and the concurrency wake of the ended run
    await new Promise((resolve) => setTimeout(resolve, 400));
    const held = runs.filter((r) => r.id !== first.runId);
    for (const r of held) assert.equal((await node.get(r.id)).status, 'queued', 'held while paused');
    assert.equal(node.recorder.ofAutomation(name).length, 1, 'nothing else started');
    await node.rota.automations.setStatus(node.ws, name, 'active');
    for (let i = 0; i < 2; i++) {
      const call = await eventually(() => node.recorder.ofAutomation(name).find((c) => c.result === 'running'), 5_000, 'a held run to start after the resume');
      node.recorder.open((call.config as { gate: string }).gate);
      await eventually(async () => ((await node.get(call.runId)).status === 'succeeded' ? true : undefined), 5_000, 'it to end');
    }
    for (const r of runs) assert.equal((await node.get(r.id)).status, 'succeeded');
  });
});
