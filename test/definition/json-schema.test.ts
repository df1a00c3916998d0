import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { checkJsonSchema, validateDeferred, validateInputs, validateValue } from '../../src/definition/json-schema.js';
import { hasTemplate } from '../../src/definition/template.js';

describe('checkJsonSchema', () => {
  const valid: unknown[] = [
    true,
    { type: 'object', properties: { a: { type: 'string', format: 'email' } } },
    { $schema: 'https://json-schema.org/draft/2020-12/schema', prefixItems: [{ type: 'string' }] },
    { $schema: 'http://json-schema.org/draft-07/schema#', definitions: { s: { type: 'string' } }, $ref: '#/definitions/s' },
  ];
  for (const schema of valid) test(`accepts ${JSON.stringify(schema)}`, () => assert.deepEqual(checkJsonSchema(schema, '$.s'), []));

  const invalid: [unknown, string, RegExp][] = [
    ['string', '$.s', /must be a JSON Schema/],
    [{ type: 'text' }, '$.s.type', /must be/],
    [{ $schema: 'http://json-schema.org/draft-04/schema#' }, '$.s.$schema', /unsupported \$schema/],
    [{ properties: { a: { minLength: -1 } } }, '$.s.properties.a.minLength', /must be >= 0/],
    [{ $ref: '#/$defs/missing' }, '$.s', /can't resolve reference/],
  ];
  for (const [schema, path, message] of invalid) {
    test(`rejects ${JSON.stringify(schema)}`, () => {
      const problems = checkJsonSchema(schema, '$.s');
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.equal(problems[0]!.path, path);
      assert.match(problems[0]!.message, message);
    });
  }
});

describe('validateValue', () => {
  const schema = {
    type: 'object',
    properties: {
      name: { type: 'string' },
      size: { type: 'integer', default: 3 },
      items: { type: 'array', items: { type: 'object', properties: { 'a b': { type: 'number' } }, required: ['id'] } },
    },
    required: ['name'],
    additionalProperties: false,
  };

  test('applies defaults to a copy', () => {
    const input = { name: 'x' };
    const result = validateValue(schema, input);
    assert.deepEqual(result, { ok: true, value: { name: 'x', size: 3 }, errors: [] });
    assert.deepEqual(input, { name: 'x' });
  });

  test('reports every error with a JSON path', () => {
    const result = validateValue(schema, { size: 'big', extra: 1, items: [{ id: 1 }, { 'a b': 'x' }] });
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.errors.map((e) => `${e.path} ${e.message}`).sort(),
      ['$.extra is not an allowed property', '$.items[1].id is required', '$.items[1]["a b"] must be number', '$.name is required', '$.size must be integer'].sort(),
    );
  });

  test('caches by schema content', () => {
    assert.equal(validateValue({ type: 'string' }, 'a').ok, true);
    assert.equal(validateValue({ type: 'string' }, 1).ok, false);
  });

  test('schemas with the same $id and different content do not collide', () => {
    assert.equal(validateValue({ $id: 'https://x.test/s', type: 'string' }, 'a').ok, true);
    assert.equal(validateValue({ $id: 'https://x.test/s', type: 'number' }, 1).ok, true);
  });
});

describe('validateInputs', () => {
  test('without a schema: any object, undefined is {}', () => {
    assert.deepEqual(validateInputs(null, undefined), { ok: true, value: {}, errors: [] });
    assert.deepEqual(validateInputs(null, { a: 1 }), { ok: true, value: { a: 1 }, errors: [] });
    for (const bad of [null, 1, 'x', [1]]) assert.equal(validateInputs(null, bad).ok, false);
  });

  test('with a schema: undefined is validated as {}', () => {
    const schema = { type: 'object', properties: { n: { type: 'integer', default: 1 } } };
    assert.deepEqual(validateInputs(schema, undefined), { ok: true, value: { n: 1 }, errors: [] });
    assert.deepEqual(validateInputs({ ...schema, required: ['n'], properties: { n: { type: 'integer' } } }, undefined).errors, [{ path: '$.n', message: 'is required' }]);
  });
});

test('a schema on which the validator itself throws refuses the value with the reason, never throws', () => {
  // Ajv's generated code fails on this valid schema with this value (TypeError inside useDefaults)
  const schema = {
    type: 'object',
    allOf: [{ type: 'object', additionalProperties: false, anyOf: [{ type: 'object', patternProperties: { '^x': { type: 'array' } }, anyOf: [{ type: 'object', additionalProperties: false }, { not: { const: 'a' } }] }, { type: 'array' }] }],
  };
  const result = validateInputs(schema, { x1: 'a' });
  assert.equal(result.ok, false);
  assert.equal(result.errors[0]!.path, '$');
  assert.match(result.errors[0]!.message, /could not be checked/);
  assert.match(validateDeferred(schema, { x1: 'a' }, '$.with', hasTemplate)[0]!.message, /could not be checked/);
});

describe('validateDeferred', () => {
  const schema = {
    type: 'object',
    properties: { n: { type: 'integer' }, mode: { enum: ['a', 'b'] }, url: { type: 'string', format: 'uri' }, either: { anyOf: [{ type: 'integer' }, { type: 'null' }] } },
    required: ['n'],
    additionalProperties: false,
  };
  test('skips errors a template could fix', () => {
    assert.deepEqual(validateDeferred(schema, { n: '{{ inputs.n }}', mode: '{{ inputs.m }}', url: '{{ inputs.host }}/x', either: '{{ inputs.e }}' }, '$.w', hasTemplate), []);
  });
  test('keeps errors about keys and literal values', () => {
    const problems = validateDeferred(schema, { mode: 'c', zz: '{{ inputs.z }}' }, '$.w', hasTemplate);
    assert.deepEqual(problems.map((p) => p.path).sort(), ['$.w.mode', '$.w.n', '$.w.zz']);
  });
});
