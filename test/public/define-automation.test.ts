/**
 * `defineAutomation` and `defineAction` at run time (their types are checked by tsc over
 * test/types/define-automation.ts): the definition returned is the plain object the node applies,
 * and a zod-configured custom action is validated at apply and parsed (defaults applied) at run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { createDefiner, defineAction, defineAutomation, DefinitionError } from '../../src/index.js';
import { forEachDialect, makeNode, uniqueName } from '../support/node.js';

const lookup = defineAction({
  type: 'crm.lookup',
  description: 'Looks a customer up (a stand-in)',
  config: z.strictObject({ email: z.string().min(3), fields: z.array(z.string()).default(['name']) }),
  output: z.object({ email: z.string(), fields: z.array(z.string()) }),
  handler: async (ctx) => ({ email: ctx.config.email, fields: ctx.config.fields }),
});
const { defineAutomation: defineWithCrm } = createDefiner([lookup]);

test('defineAutomation returns its argument unchanged', () => {
  const raw = { name: 'same', steps: [{ id: 'a', action: 'set' as const, with: { v: 1 } }] };
  assert.equal(defineAutomation(raw), raw);
  assert.equal(defineWithCrm(raw), raw);
});

test('defineAction turns the zod config into the JSON Schema the node checks with:', () => {
  assert.equal(lookup.type, 'crm.lookup');
  const schema = lookup.configSchema as Record<string, any>;
  assert.equal(schema.type, 'object');
  assert.deepEqual(schema.required, ['email']);
  assert.equal(schema.additionalProperties, false);
  assert.deepEqual(Object.keys(schema.properties), ['email', 'fields']);
  assert.equal((lookup.outputSchema as Record<string, any>).type, 'object');
});

forEachDialect('defineAutomation', (db) => {
  test('a typed definition with a custom action applies and runs; the zod default reaches the handler', async () => {
    const node = await makeNode(db, { actions: [lookup] });
    const name = uniqueName('typed');
    const definition = defineWithCrm({
      name,
      inputs: { type: 'object', properties: { email: { type: 'string' } }, required: ['email'] },
      steps: [
        { id: 'who', action: 'crm.lookup', with: { email: '{{ inputs.email }}' } },
        { id: 'keep', action: 'set', with: { plan: 'pro', email: '{{ steps.who.output.email }}' } },
      ],
    });
    await node.apply(definition);
    const run = await node.waitEnd((await node.start(name, { email: 'ada@example.com' })).id);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.deepEqual(run.steps?.map((s) => [s.id, s.output]), [
      ['who', { email: 'ada@example.com', fields: ['name'] }],
      ['keep', { plan: 'pro', email: 'ada@example.com' }],
    ]);
  });

  test("the custom action's schema refuses a misspelt or mistyped with: at apply", async () => {
    const node = await makeNode(db, { actions: [lookup] });
    const bad = { name: uniqueName('typed-bad'), steps: [{ id: 'a', action: 'crm.lookup', with: { emial: 'ada@example.com', fields: 'name' } }] };
    await assert.rejects(node.apply(bad), (err: unknown) => {
      assert.ok(err instanceof DefinitionError, String(err));
      const paths = err.problems.map((p) => p.path);
      assert.ok(paths.some((p) => p.startsWith('$.steps[0].with')), JSON.stringify(err.problems));
      assert.ok(paths.includes('$.steps[0].with.fields'), JSON.stringify(err.problems));
      return true;
    });
  });

  test('a template that resolves to a value the zod schema refuses fails the step, naming the field', async () => {
    const node = await makeNode(db, { actions: [lookup] });
    const name = uniqueName('typed-run');
    const inputs = { type: 'object', properties: { email: { type: 'string' } } };
    await node.apply(defineWithCrm({ name, inputs, steps: [{ id: 'who', action: 'crm.lookup', with: { email: '{{ inputs.email }}' } }] }));
    const run = await node.runToEnd(name, { email: 'x' });
    assert.equal(run.status, 'failed');
    assert.match(JSON.stringify(run.steps?.[0]?.error), /crm\.lookup: invalid with: email: /);
  });
});
