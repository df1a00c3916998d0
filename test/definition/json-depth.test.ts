// Depth bounds over user JSON: where a value first nests too deep, and the walkers failing with a
// clear error (never a stack overflow) on values deeper than any entry lets through.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_JSON_DEPTH, MAX_WALK_DEPTH, jsonTooDeepAt, yamlTooDeepAt } from '../../src/definition/json-depth.js';
import { canonicalJson, compileDefinition, parseDefinitionText } from '../../src/definition/parse.js';
import { findTemplateReferences, resolveTemplates } from '../../src/definition/template.js';
import { deepEqual, evaluateFilter } from '../../src/definition/filter.js';
import { DefinitionError, RotaError } from '../../src/errors.js';

function nest(levels: number, leaf: unknown = 1, key = 'a'): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { [key]: value };
  return value;
}

describe('json depth', () => {
  test('the path of the first container past the limit', () => {
    const cases: [unknown, number, string | null][] = [
      [1, 1, null],
      [{}, 1, null],
      [{}, 0, '$'],
      [nest(3), 3, null],
      [nest(3), 2, '$.a.a'],
      [{ ok: [1, 2], deep: [[[]]] }, 3, '$.deep[0][0]'],
      [nest(2, 1, 'odd key'), 1, '$["odd key"]'],
      [[[1], [2, [3]]], 2, '$[1][1]'],
    ];
    for (const [value, max, expected] of cases) assert.equal(jsonTooDeepAt(value, max), expected, JSON.stringify(value));
    assert.equal(jsonTooDeepAt(nest(MAX_JSON_DEPTH)), null);
    assert.match(jsonTooDeepAt(nest(200_000))!, /^\$(\.a){100}$/, 'iterative: 200,000 levels do not overflow');
  });

  test('YAML nesting is bounded before parsing: flow collections and compact block sequences', () => {
    const cases: [string, number][] = [
      ['steps:\n  - id: a\n    with: { x: [1, 2] }\n', -1],
      ['x: [[[]]]', 5],
      ['x:\n  - - - 1\n', 9],
      ['run: |\n  - a list in a block scalar\n  - [unclosed\n', -1],
    ];
    for (const [text, at] of cases) assert.equal(yamlTooDeepAt(text, 2), at, text);
    // 400,000 levels in 800 KB once exhausted the parser's heap and killed the process
    for (const text of [`x: ${'['.repeat(400_000)}${']'.repeat(400_000)}`, `x:\n  ${'- '.repeat(400_000)}1\n`]) {
      assert.throws(() => parseDefinitionText(text), (err: unknown) => err instanceof DefinitionError && /collections nested deeper than 100 levels/.test(err.message));
    }
  });

  test('a definition nested too deep is one definition error naming the path', () => {
    const raw = { name: 'deep', steps: [{ id: 'a', action: 'set', with: nest(5000) }] };
    assert.throws(
      () => compileDefinition(raw, () => undefined),
      (err: unknown) => err instanceof DefinitionError && /nested deeper than 100 levels at \$\.steps\[0\]\.with(\.a)+/.test(err.message),
    );
  });

  test('walkers stop at the walk bound with a RotaError, not a RangeError', () => {
    const tooDeep = nest(MAX_WALK_DEPTH + 5, '{{ inputs.x }}');
    const isBound = (err: unknown) => err instanceof RotaError && err.code === 'invalid_request' && /nested deeper than 1000 levels/.test(err.message);
    assert.throws(() => canonicalJson(tooDeep), isBound);
    assert.throws(() => findTemplateReferences(tooDeep, '$'), isBound);
    assert.throws(() => resolveTemplates(tooDeep, { inputs: { x: 1 } }), isBound);
    assert.equal(canonicalJson(nest(3)), '{"a":{"a":{"a":1}}}');
    assert.deepEqual(resolveTemplates(nest(2, '{{ inputs.x }}'), { inputs: { x: 7 } }), nest(2, 7));
  });

  test('deep equality and filters never throw on deep data', () => {
    assert.equal(deepEqual(nest(50), nest(50)), true);
    assert.equal(deepEqual(nest(MAX_WALK_DEPTH + 5), nest(MAX_WALK_DEPTH + 5)), false);
    assert.equal(evaluateFilter({ 'data.a': nest(MAX_WALK_DEPTH + 5) } as never, { data: nest(MAX_WALK_DEPTH + 6) }), false);
  });
});
