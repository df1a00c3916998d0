import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluateFilter, getPath, parsePath, validateFilter } from '../../src/definition/filter.js';
import type { Filter } from '../../src/definition/types.js';

const scope = {
  data: {
    action: 'opened',
    count: 5,
    ratio: 0.5,
    name: 'release-1.2',
    draft: false,
    nothing: null,
    labels: ['bug', 'p1'],
    issue: { number: 7, user: { login: 'ana' } },
    'x-kind': 'push',
  },
  steps: { triage: { output: { label: 'bug' } } },
};

describe('evaluateFilter', () => {
  const cases: [string, Filter, boolean][] = [
    ['plain equality', { 'data.action': 'opened' }, true],
    ['plain inequality', { 'data.action': 'closed' }, false],
    ['implicit AND', { 'data.action': 'opened', 'data.count': 5 }, true],
    ['implicit AND, one false', { 'data.action': 'opened', 'data.count': 6 }, false],
    ['deep equality of arrays', { 'data.labels': ['bug', 'p1'] }, true],
    ['array order matters', { 'data.labels': ['p1', 'bug'] }, false],
    ['deep equality of objects', { 'data.issue.user': { login: 'ana' } }, true],
    ['$eq object', { 'data.issue.user': { $eq: { login: 'ana' } } }, true],
    ['null equality', { 'data.nothing': null }, true],
    ['index path', { 'data.labels[1]': 'p1' }, true],
    ['step output path', { 'steps.triage.output.label': 'bug' }, true],
    ['dashed key', { 'data.x-kind': 'push' }, true],
    ['$eq', { 'data.count': { $eq: 5 } }, true],
    ['$ne true', { 'data.count': { $ne: 4 } }, true],
    ['$ne false', { 'data.count': { $ne: 5 } }, false],
    ['$gt', { 'data.count': { $gt: 4 } }, true],
    ['$gt equal', { 'data.count': { $gt: 5 } }, false],
    ['$gte', { 'data.count': { $gte: 5 } }, true],
    ['$lt', { 'data.ratio': { $lt: 1 } }, true],
    ['$lte', { 'data.ratio': { $lte: 0.4 } }, false],
    ['$gt strings', { 'data.action': { $gt: 'a' } }, true],
    ['$gt mixed types never match', { 'data.count': { $gt: '1' } }, false],
    ['range', { 'data.count': { $gt: 1, $lt: 10 } }, true],
    ['$in', { 'data.action': { $in: ['opened', 'reopened'] } }, true],
    ['$in miss', { 'data.action': { $in: ['closed'] } }, false],
    ['$nin', { 'data.action': { $nin: ['closed'] } }, true],
    ['$nin hit', { 'data.action': { $nin: ['opened'] } }, false],
    ['$exists true', { 'data.draft': { $exists: true } }, true],
    ['$exists true on null', { 'data.nothing': { $exists: true } }, true],
    ['$exists false on present', { 'data.draft': { $exists: false } }, false],
    ['$prefix', { 'data.name': { $prefix: 'release-' } }, true],
    ['$prefix miss', { 'data.name': { $prefix: 'v' } }, false],
    ['$prefix on non-string', { 'data.count': { $prefix: '5' } }, false],
    ['$or', { $or: [{ 'data.action': 'closed' }, { 'data.count': 5 }] }, true],
    ['$or none', { $or: [{ 'data.action': 'closed' }, { 'data.count': 6 }] }, false],
    ['$and', { $and: [{ 'data.action': 'opened' }, { 'data.count': { $gte: 5 } }] }, true],
    ['$not', { $not: { 'data.action': 'closed' } }, true],
    ['$not true', { $not: { 'data.action': 'opened' } }, false],
    ['nested logic', { $or: [{ $not: { 'data.draft': false } }, { $and: [{ 'data.issue.number': 7 }] }] }, true],
    ['empty filter matches', {}, true],
  ];
  for (const [name, filter, expected] of cases) test(name, () => assert.equal(evaluateFilter(filter, scope), expected));
});

describe('evaluateFilter: a missing field never matches', () => {
  const missing: Filter[] = [
    { 'data.nope': null },
    { 'data.nope': { $eq: null } },
    { 'data.nope': { $ne: 1 } },
    { 'data.nope': { $nin: [1] } },
    { 'data.nope': { $in: [null] } },
    { 'data.nope': { $gt: 0 } },
    { 'data.nope': { $lte: 0 } },
    { 'data.nope': { $prefix: '' } },
    { 'data.nope': { $exists: true } },
    { 'data.action.deeper': 'x' },
    { 'data.labels[9]': 'x' },
    { 'data.labels.length': 2 },
    { 'data.action.length': 6 },
    { 'data.constructor': { $exists: true } },
    { 'data.__proto__': { $exists: true } },
    { 'data.toString': { $exists: true } },
    { 'nope.x': { $exists: true } },
  ];
  for (const filter of missing) test(JSON.stringify(filter), () => assert.equal(evaluateFilter(filter, scope), false));

  test('except $exists: false', () => {
    assert.equal(evaluateFilter({ 'data.nope': { $exists: false } }, scope), true);
  });
});

describe('evaluateFilter: malformed filters do not match and do not throw', () => {
  const malformed: unknown[] = [
    null,
    [],
    'x',
    { $or: 'x' },
    { $and: {} },
    { $not: 1 },
    { $where: 'true' },
    { 'data.count': { $gt: [1] } },
    { 'data.count': { $bogus: 1 } },
    { 'data.count': { $exists: 'yes' } },
    { 'a..b': 1 },
  ];
  for (const filter of malformed) test(JSON.stringify(filter), () => assert.equal(evaluateFilter(filter as Filter, scope), false));
});

test('evaluateFilter never throws on any JSON filter and scope', () => {
  const filterArb = fc.oneof(
    fc.jsonValue(),
    fc.dictionary(
      fc.oneof(fc.constantFrom('$and', '$or', '$not', 'data.a', 'data.a[0]', 'data.b.c', '__proto__', 'constructor'), fc.string()),
      fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom('$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$prefix', '$x'), fc.jsonValue())),
    ),
  );
  const scopeArb = fc.oneof(fc.jsonValue(), fc.record({ data: fc.jsonValue() }));
  fc.assert(
    fc.property(filterArb, scopeArb, (filter, value) => {
      assert.equal(typeof evaluateFilter(filter as Filter, value), 'boolean');
    }),
    { numRuns: 2000 },
  );
});

test('validateFilter accepts every filter evaluateFilter matches above', () => {
  const filter = { 'data.count': { $gt: 1, $lt: 10 }, $or: [{ 'data.a': { $in: [1] } }, { $not: { 'data.b': { $exists: true } } }] };
  assert.deepEqual(validateFilter(filter, '$.f', ['data']), []);
});

describe('validateFilter', () => {
  const cases: [string, unknown, { path: string; message: RegExp }][] = [
    ['not an object', [1], { path: '$.f', message: /must be an object/ }],
    ['unknown operator', { 'data.a': { $regex: 'x' } }, { path: '$.f["data.a"].$regex', message: /unknown operator "\$regex"/ }],
    ['unknown logical operator', { $nor: [] }, { path: '$.f.$nor', message: /unknown logical operator/ }],
    ['$in needs an array', { 'data.a': { $in: 1 } }, { path: '$.f["data.a"].$in', message: /\$in needs an array/ }],
    ['$nin needs an array', { 'data.a': { $nin: 'x' } }, { path: '$.f["data.a"].$nin', message: /\$nin needs an array/ }],
    ['$gt needs number or string', { 'data.a': { $gt: true } }, { path: '$.f["data.a"].$gt', message: /number or a string/ }],
    ['$lte needs number or string', { 'data.a': { $lte: null } }, { path: '$.f["data.a"].$lte', message: /number or a string/ }],
    ['$exists needs boolean', { 'data.a': { $exists: 1 } }, { path: '$.f["data.a"].$exists', message: /boolean/ }],
    ['$prefix needs string', { 'data.a': { $prefix: 1 } }, { path: '$.f["data.a"].$prefix', message: /string/ }],
    ['$or needs array', { $or: {} }, { path: '$.f.$or', message: /non-empty array/ }],
    ['$and empty', { $and: [] }, { path: '$.f.$and', message: /non-empty array/ }],
    ['$not needs object', { $not: [1] }, { path: '$.f.$not', message: /must be an object/ }],
    ['nested problem', { $or: [{ 'data.a': 1 }, { 'data.b': { $in: 2 } }] }, { path: '$.f.$or[1]["data.b"].$in', message: /array/ }],
    ['mixed operators and keys', { 'data.a': { $gt: 1, b: 2 } }, { path: '$.f["data.a"].b', message: /cannot be mixed/ }],
    ['bad root', { 'inputs.a': 1 }, { path: '$.f["inputs.a"]', message: /unknown path root "inputs"/ }],
    ['bad path syntax', { 'data..a': 1 }, { path: '$.f["data..a"]', message: /invalid path/ }],
    ['prototype path', { 'data.__proto__.x': 1 }, { path: '$.f["data.__proto__.x"]', message: /not addressable/ }],
  ];
  for (const [name, filter, expected] of cases) {
    test(name, () => {
      const problems = validateFilter(filter, '$.f', ['data']);
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.equal(problems[0]!.path, expected.path);
      assert.match(problems[0]!.message, expected.message);
    });
  }

  test('reports several problems together', () => {
    const problems = validateFilter({ 'x.a': { $in: 1 }, 'data.b': { $foo: 1 } }, '$.f', ['data']);
    assert.equal(problems.length, 3);
  });
});

describe('parsePath / getPath', () => {
  const paths: [string, (string | number)[]][] = [
    ['data', ['data']],
    ['data.a.b', ['data', 'a', 'b']],
    ['data.items[0].name', ['data', 'items', 0, 'name']],
    ['data.m[1][2]', ['data', 'm', 1, 2]],
    ['data["a.b"].c', ['data', 'a.b', 'c']],
    ['data.x-y_z', ['data', 'x-y_z']],
  ];
  for (const [text, segments] of paths) test(`parses ${text}`, () => assert.deepEqual(parsePath(text), segments));
  for (const text of ['', '.a', 'a.', 'a..b', 'a[x]', 'a[0', '[0]', 'a b', 'a.constructor', 'a.prototype']) {
    test(`rejects ${JSON.stringify(text)}`, () => assert.throws(() => parsePath(text), /invalid path/));
  }

  test('getPath reads own properties only', () => {
    const obj = { a: { b: [10, { c: 'x' }] } };
    assert.deepEqual(getPath(obj, ['a', 'b', 1, 'c']), { found: true, value: 'x' });
    assert.deepEqual(getPath(obj, ['a', 'b', '0']), { found: true, value: 10 });
    assert.equal(getPath(obj, ['a', 'b', 2]).found, false);
    assert.equal(getPath(obj, ['a', 'toString']).found, false);
    assert.equal(getPath(obj, ['a', 'b', 'length']).found, false);
    assert.equal(getPath('str', ['length']).found, false);
    assert.equal(getPath(JSON.parse('{"__proto__": 1}'), ['__proto__']).found, false);
  });
});
