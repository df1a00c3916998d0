import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { ActionRegistry, createBuiltinRegistry } from '../../src/actions/registry.js';
import { setAction } from '../../src/actions/set.js';
import type { ActionDefinition } from '../../src/actions/types.js';
import { ConflictError, ValidationError } from '../../src/errors.js';
import { makeContext } from './context.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = addFormats(new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true }));

const custom: ActionDefinition = { type: 'acme.greet', description: 'Says hello', configSchema: { type: 'object' }, handler: async () => 'hi' };

describe('ActionRegistry', () => {
  test('the built-in registry holds every built-in plus extras', () => {
    const registry = createBuiltinRegistry([custom]);
    assert.deepEqual(
      registry.list().map((d) => d.type),
      ['http', 'shell', 'set', 'sleep', 'emit_event', 'run_automation', 'approval', 'wait_for_event', 'delegate', 'acme.greet'],
    );
    assert.equal(registry.get('acme.greet'), custom);
    assert.equal(registry.get('nope'), undefined);
  });

  test('duplicates and bad type names are refused', () => {
    const registry = new ActionRegistry();
    registry.register(custom);
    assert.throws(() => registry.register(custom), ConflictError);
    for (const type of ['', 'Upper', '1st', 'has space', 'a/b']) {
      assert.throws(() => registry.register({ ...custom, type }), ValidationError, type);
    }
  });

  test('every built-in schema compiles as strict JSON Schema 2020-12', () => {
    for (const def of createBuiltinRegistry().list()) {
      assert.ok(def.description.length > 40, def.type);
      ajv.compile(def.configSchema);
      if (def.outputSchema !== undefined) ajv.compile(def.outputSchema);
      if (def.type !== 'set') assert.equal((def.configSchema as { additionalProperties?: unknown }).additionalProperties, false, def.type);
    }
  });

  const samples: Array<[string, unknown, boolean]> = [
    ['http', { url: 'https://example.com', method: 'POST', body: { a: 1 }, timeout: '30s', expect_status: [200, 201] }, true],
    ['http', { url: 'https://example.com', query: { a: [1, 'b'], c: true } }, true],
    ['http', { url: 'https://example.com', verb: 'GET' }, false],
    ['http', { url: 'https://example.com', timeout: '30' }, false],
    ['http', { url: 'https://example.com', expect_status: [] }, false],
    ['shell', { command: ['ls', '-l'], env: { A: 'b' }, timeout: '1m' }, true],
    ['shell', { command: 'ls -l' }, false],
    ['shell', { command: [] }, false],
    ['sleep', { duration: '1h30m' }, true],
    ['sleep', { until: '2030-01-01T00:00:00Z' }, true],
    ['sleep', {}, false],
    ['sleep', { duration: '1s', until: '2030-01-01T00:00:00Z' }, false],
    ['sleep', { until: 'tomorrow' }, false],
    ['emit_event', { name: 'invoice.sent', data: [1] }, true],
    ['emit_event', { name: 'Invoice Sent' }, false],
    ['run_automation', { automation: 'weekly-report', inputs: {}, wait: false }, true],
    ['run_automation', { automation: 'Bad_Name' }, false],
    ['set', { anything: { goes: 1 } }, true],
  ];
  for (const [type, config, valid] of samples) {
    test(`${type} config ${JSON.stringify(config)} is ${valid ? 'valid' : 'invalid'}`, () => {
      const def = createBuiltinRegistry().get(type) as ActionDefinition;
      assert.equal(ajv.validate(def.configSchema, config), valid, ajv.errorsText());
    });
  }
});

test('set outputs its resolved config', async () => {
  const config = { title: 'acme/api#4', urgent: true, nested: { a: [1] } };
  assert.deepEqual(await setAction.handler(makeContext({ config })), config);
});
