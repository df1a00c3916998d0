/**
 * `rota/testing` as a user's test suite uses it: only the package's exports (`rota`,
 * `rota/testing`, resolved through package.json "exports" to dist/). A scheduled automation fires
 * at its slots as the fake clock is advanced; an agent step runs against the scripted LLM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { DefinitionError, type ToolDefinition } from 'rota';
import { createTestRota, FakeClock } from 'rota/testing';

test('a daily schedule fires once per slot as the clock is advanced; a sleep waits for advance', async (t) => {
  const rota = await createTestRota({ clock: new FakeClock('2030-01-01T00:00:00Z') });
  t.after(() => rota.stop());
  await rota.apply({
    name: 'nightly',
    inputs: { type: 'object', properties: { day: { type: 'string' } } },
    triggers: [{ id: 'night', type: 'schedule', cron: '0 2 * * *', timezone: 'UTC', inputs: { day: '{{ data.slot }}' } }],
    steps: [
      { id: 'report', action: 'set', with: { day: '{{ inputs.day }}' } },
      { id: 'cool-down', action: 'sleep', with: { duration: '5m' } },
    ],
  });
  assert.deepEqual(await rota.advance(3_600_000), [], 'nothing is due before 02:00');
  const fired = await rota.advance(2 * 86_400_000 + 3_600_000); // to 02:00 on the 3rd
  assert.deepEqual(fired.map((r) => (r.activation as { data: { slot: string } }).data.slot), ['2030-01-01T02:00:00.000Z', '2030-01-02T02:00:00.000Z', '2030-01-03T02:00:00.000Z']);
  // the last slot's run sleeps until 02:05 on the fake clock: it waits for time to move
  const last = await rota.waitForRun(fired[2]!.id, { untilWaiting: true });
  assert.equal(last.status, 'waiting');
  await rota.advance(5 * 60_000);
  for (const run of fired) {
    const done = await rota.waitForRun(run.id);
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(done.steps?.[0]?.output, { day: (run.activation as { data: { slot: string } }).data.slot });
  }
  assert.equal((await rota.runsOf('nightly')).length, 3);
});

test('an agent step calls a tool and answers, scripted by the LLM stand-in', async (t) => {
  const lookups: string[] = [];
  const lookup: ToolDefinition<{ order: string }> = {
    name: 'lookup_order',
    description: 'Finds an order',
    inputSchema: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] },
    handler: async ({ order }) => {
      lookups.push(order);
      return { order, status: 'shipped' };
    },
  };
  const rota = await createTestRota({
    tools: [lookup],
    llm: [{ toolCalls: [{ name: 'lookup_order', arguments: { order: 'A1' } }] }, { text: '{"status":"shipped"}' }],
  });
  t.after(() => rota.stop());
  await rota.apply({
    name: 'where-is-my-order',
    inputs: { type: 'object', properties: { order: { type: 'string' } }, required: ['order'] },
    steps: [{
      id: 'ask',
      action: 'agent',
      with: {
        model: 'default',
        prompt: 'Where is order {{ inputs.order }}?',
        tools: ['lookup_order'],
        output_schema: { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] },
      },
    }],
  });
  const run = await rota.run('where-is-my-order', { order: 'A1' });
  assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
  assert.deepEqual(run.steps?.[0]?.output, { status: 'shipped' });
  assert.deepEqual(lookups, ['A1']);
  assert.equal(rota.llm!.calls.length, 2);
  assert.match(JSON.stringify(rota.llm!.calls[0]!.messages), /Where is order A1\?/);
  assert.deepEqual(rota.llm!.calls[0]!.tools, ['lookup_order']);
});

test('an invalid definition throws DefinitionError; stop() deletes the temp database', async () => {
  const rota = await createTestRota();
  const dataDir = rota.rota.config.dataDir;
  await assert.rejects(rota.apply({ name: 'bad', steps: [{ id: 'a', action: 'no_such_action' }] }), (err: unknown) => err instanceof DefinitionError);
  assert.ok(existsSync(dataDir));
  await rota.stop();
  await rota.stop();
  assert.equal(existsSync(dataDir), false);
});
