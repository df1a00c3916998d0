/**
 * The definition JSON Schema (`rota/schema.json`): the committed file matches what the zod schema
 * generates, every example validates against it, and bad definitions are refused by both the JSON
 * Schema (what an editor shows) and the real validator (what apply says).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { definitionSchemaFileText, builtinDefinitionJsonSchema } from '../../src/node/definition-schema.js';
import { definitionJsonSchema } from '../../src/definition/json-schema.js';
import { compileDefinition, parseDefinitionText } from '../../src/definition/parse.js';
import { createBuiltinRegistry } from '../../src/actions/registry.js';
import { DefinitionError } from '../../src/errors.js';
import type { ActionDefinition } from '../../src/actions/types.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const SCHEMA_FILE = new URL('../../schema.json', import.meta.url);
const EXAMPLES = new URL('../../examples/', import.meta.url);

function validator(schema: Record<string, unknown>) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

const validate = validator(builtinDefinitionJsonSchema());
const lookup = (extra: ActionDefinition[] = []) => new Map(createBuiltinRegistry(extra).list().map((a) => [a.type, a]));
const registry = lookup();

function jsonSchemaErrors(raw: unknown): string[] {
  return validate(raw) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

function validatorProblems(raw: unknown): string[] {
  try {
    compileDefinition(raw, registry);
    return [];
  } catch (err) {
    assert.ok(err instanceof DefinitionError, String(err));
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
}

test('schema.json is what the definition schema generates (run `npm run build` to refresh it)', () => {
  assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), definitionSchemaFileText());
});

test('the package exports it as rota/schema.json', () => {
  const resolved = createRequire(import.meta.url).resolve('rota/schema.json');
  assert.equal(readFileSync(resolved, 'utf8'), readFileSync(SCHEMA_FILE, 'utf8'));
});

test('every example names the schema on its first line and validates against it', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'));
  assert.ok(files.length >= 4, 'the examples are found');
  for (const file of files) {
    const text = readFileSync(new URL(file, EXAMPLES), 'utf8');
    assert.equal(text.split('\n')[0], '# yaml-language-server: $schema=../schema.json', file);
    assert.deepEqual(jsonSchemaErrors(parseDefinitionText(text)), [], file);
  }
});

const good = {
  name: 'good',
  inputs: { type: 'object', properties: { n: { type: 'integer' }, method: { type: 'string' } } },
  triggers: [
    { id: 'tick', type: 'schedule', every: '1h30m', timezone: 'Europe/Berlin' },
    { id: 'at', type: 'schedule', at: '2030-03-01T09:00:00Z' },
    { id: 'hook', type: 'webhook', verify: { scheme: 'token', secret: { env: 'HOOK_TOKEN' } }, max_body: '512kb' },
  ],
  steps: [
    // templates stand where a typed value goes: resolved at run time, as the validator defers them
    { id: 'a', action: 'http', with: { url: 'https://example.com', method: '{{ inputs.method }}', max_response_bytes: '{{ inputs.n }}', expect_status: [200, '{{ inputs.n }}'] } },
    { id: 'b', action: 'sleep', with: { duration: '2s' }, timeout: '10s', retry: { max_retries: 2, base_delay: '1s' } },
    { id: 'c', action: 'my.custom', with: { anything: true } },
  ],
  execution: { timeout: '5m', on_failure: [{ id: 'tell', action: 'emit_event', with: { name: 'failed' } }] },
};

test('a definition using templates, every trigger kind and a custom action passes the JSON Schema', () => {
  assert.deepEqual(jsonSchemaErrors(good), []);
  // the real validator agrees once the custom action exists
  const withCustom = lookup([{ type: 'my.custom', description: 'x', configSchema: { type: 'object' }, handler: async () => null }]);
  assert.doesNotThrow(() => compileDefinition(good, withCustom));
});

const step = (s: Record<string, unknown>) => ({ name: 'bad', steps: [{ id: 'a', ...s }] });
const BAD: [string, unknown, RegExp][] = [
  ['a misspelt with: field (http urll)', step({ action: 'http', with: { urll: 'https://x.test' } }), /\/steps\/0\/with/],
  ['a wrong type in with: (sleep duration: 5)', step({ action: 'sleep', with: { duration: 5 } }), /\/steps\/0\/with\/duration/],
  ['a bad enum in with: (http method FETCH)', step({ action: 'http', with: { url: 'https://x.test', method: 'FETCH' } }), /\/steps\/0\/with\/method/],
  ['a misspelt with: field in on_failure', { name: 'bad', steps: [{ id: 'a', action: 'set' }], execution: { on_failure: [{ id: 'f', action: 'emit_event', with: { nam: 'x' } }] } }, /\/execution\/on_failure\/0\/with/],
  ['an unknown top-level key', { name: 'bad', stepz: [], steps: [{ id: 'a', action: 'set' }] }, /must NOT have additional properties/],
  ['no steps', { name: 'bad', steps: [] }, /\/steps/],
  ['a bad name', { name: 'Bad Name', steps: [{ id: 'a', action: 'set' }] }, /\/name/],
  ['a bad duration', step({ action: 'set', timeout: '10 minutes' }), /\/steps\/0\/timeout/],
  ['an unknown trigger type', { name: 'bad', triggers: [{ id: 't', type: 'cron' }], steps: [{ id: 'a', action: 'set' }] }, /\/triggers\/0/],
  ['a webhook without verify', { name: 'bad', triggers: [{ id: 't', type: 'webhook' }], steps: [{ id: 'a', action: 'set' }] }, /\/triggers\/0/],
  ['a bad max_body', { name: 'bad', triggers: [{ id: 't', type: 'webhook', verify: { scheme: 'none' }, max_body: 'lots' }], steps: [{ id: 'a', action: 'set' }] }, /\/triggers\/0/],
];

for (const [what, raw, where] of BAD) {
  test(`refused by both the JSON Schema and the validator: ${what}`, () => {
    const errors = jsonSchemaErrors(raw);
    assert.ok(errors.some((e) => where.test(e)), `JSON Schema errors ${JSON.stringify(errors)} mention ${where}`);
    assert.notDeepEqual(validatorProblems(raw), [], 'the validator refuses it too');
  });
}

test('cross-field rules are left to apply: a needs cycle passes the JSON Schema, the validator refuses it', () => {
  const raw = { name: 'cycle', steps: [{ id: 'a', action: 'set', needs: ['b'] }, { id: 'b', action: 'set', needs: ['a'] }] };
  assert.deepEqual(jsonSchemaErrors(raw), []);
  assert.match(validatorProblems(raw).join('\n'), /cycle/);
});

test('without actions the schema checks the shape only; with a custom action its with: is checked', () => {
  const custom = { type: 'greet', description: 'Says hello', configSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false } };
  const bare = validator(definitionJsonSchema());
  const typed = validator(definitionJsonSchema([custom]));
  const raw = step({ action: 'greet', with: { nmae: 'Ada' } });
  assert.equal(bare(raw), true);
  assert.equal(typed(raw), false);
  assert.equal(typed(step({ action: 'greet', with: { name: '{{ inputs.who }}' } })), true);
});
