import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, RotaError } from '../../src/errors.js';
import { findTemplateReferences, hasTemplate, isWholeTemplate, resolveTemplates, type TemplateScope } from '../../src/definition/template.js';

const scope: TemplateScope = {
  inputs: { repo: 'acme/api', number: 42, flag: false, nothing: null, tags: ['a', 'b'], nested: { x: 1 } },
  data: { issue: { number: 7, labels: [{ name: 'bug' }] } },
  steps: { fetch: { output: { status: 200, body: { title: 'Hi "there"' } } } },
  run: { id: 'run_1', attempt: 1 },
  secrets: { TOKEN: 's3cret' },
};

function unresolved(fn: () => unknown, expression: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof RotaError);
    assert.equal(err.code, ErrorCode.template_unresolved);
    assert.match(err.message, expression);
    return true;
  });
}

describe('resolveTemplates: a whole placeholder keeps the JSON type', () => {
  const cases: [string, unknown][] = [
    ['{{ inputs.number }}', 42],
    ['  {{inputs.flag}} ', false],
    ['{{ inputs.nothing }}', null],
    ['{{ inputs.tags }}', ['a', 'b']],
    ['{{ inputs.tags[1] }}', 'b'],
    ['{{ data.issue.labels[0].name }}', 'bug'],
    ['{{ steps.fetch.output.body }}', { title: 'Hi "there"' }],
    ['{{ steps.fetch.output.body | json }}', '{"title":"Hi \\"there\\""}'],
    ['{{ run.id }}', 'run_1'],
  ];
  for (const [template, expected] of cases) {
    test(template, () => assert.deepEqual(resolveTemplates(template, scope), expected));
  }
});

describe('resolveTemplates: interpolation', () => {
  const cases: [string, string][] = [
    ['repos/{{ inputs.repo }}/issues/{{ inputs.number }}', 'repos/acme/api/issues/42'],
    ['flag={{ inputs.flag }} none={{ inputs.nothing }}', 'flag=false none=null'],
    ['tags: {{ inputs.tags }}', 'tags: ["a","b"]'],
    ['obj {{ inputs.nested }}', 'obj {"x":1}'],
    ['{{ inputs.repo }}{{ inputs.number }}', 'acme/api42'],
    ['literal \\{{ inputs.repo }} stays', 'literal {{ inputs.repo }} stays'],
    ['no templates', 'no templates'],
    ['{ single braces }', '{ single braces }'],
  ];
  for (const [template, expected] of cases) {
    test(template, () => assert.equal(resolveTemplates(template, scope), expected));
  }

  test('walks objects and arrays and leaves the input untouched', () => {
    const value = { url: 'x/{{ inputs.repo }}', body: { n: '{{ inputs.number }}', list: ['{{ run.attempt }}', 3, true, null] } };
    const before = structuredClone(value);
    assert.deepEqual(resolveTemplates(value, scope), { url: 'x/acme/api', body: { n: 42, list: [1, 3, true, null] } });
    assert.deepEqual(value, before);
  });

  test('a key named __proto__ stays a plain property', () => {
    const value = JSON.parse('{"__proto__": {"polluted": "{{ inputs.repo }}"}}') as unknown;
    const out = resolveTemplates(value, scope) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, { polluted: 'acme/api' });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('resolveTemplates: refusals', () => {
  const refused: [string, RegExp][] = [
    ['{{ inputs.missing }}', /inputs\.missing/],
    ['{{ inputs.tags[5] }}', /inputs\.tags\[5\]/],
    ['{{ steps.other.output }}', /steps\.other/],
    ['{{ inputs.repo.length }}', /inputs\.repo\.length/],
    ['{{ inputs.constructor }}', /constructor/],
    ['{{ inputs.__proto__ }}', /__proto__/],
    ['{{ inputs.toString }}', /toString/],
    ['{{ inputs.hasOwnProperty }}', /hasOwnProperty/],
    ['{{ inputs.nested.prototype }}', /prototype/],
    ['{{ process.env.HOME }}', /unknown root/],
    ['{{ inputs.repo | upper }}', /unknown pipe/],
    ['{{ }}', /empty placeholder/],
    ['{{ inputs.repo; process.exit() }}', /inputs\.repo; process/],
    ['{{ secrets.TOKEN }}', /secrets/],
    ['x {{ secrets.TOKEN }}', /secrets/],
  ];
  for (const [template, message] of refused) {
    test(template, () => unresolved(() => resolveTemplates({ field: template }, scope), message));
  }

  test('an own property named constructor is still refused', () => {
    unresolved(() => resolveTemplates('{{ inputs.constructor }}', { inputs: { constructor: 'x' } }), /constructor/);
  });

  test('a missing root is unresolved', () => unresolved(() => resolveTemplates('{{ data.x }}', { inputs: {} }), /data is not available/));

  test('secrets resolve only with allowSecrets', () => {
    assert.equal(resolveTemplates('Bearer {{ secrets.TOKEN }}', scope, { allowSecrets: true }), 'Bearer s3cret');
    unresolved(() => resolveTemplates('{{ secrets.NOPE }}', scope, { allowSecrets: true }), /secrets\.NOPE/);
  });
});

describe('findTemplateReferences', () => {
  test('reports path, expression, root, segments, pipes', () => {
    const refs = findTemplateReferences({ url: 'a/{{ inputs.repo }}', body: ['{{ steps.f.output.items[0] | json }}'] }, '$.steps[0].with');
    assert.deepEqual(refs, [
      { path: '$.steps[0].with.url', expression: 'inputs.repo', root: 'inputs', segments: ['inputs', 'repo'], pipes: [] },
      {
        path: '$.steps[0].with.body[0]',
        expression: 'steps.f.output.items[0] | json',
        root: 'steps',
        segments: ['steps', 'f', 'output', 'items', 0],
        pipes: ['json'],
        whole: true,
      },
    ]);
  });

  test('flags malformed expressions with a problem', () => {
    const problems = findTemplateReferences(['{{ a..b }}', '{{ nope.x }}', '{{ inputs.x | shout }}', '{{ inputs["a b"] }}'], '$').map((r) => r.problem);
    assert.match(problems[0]!, /invalid path/);
    assert.match(problems[1]!, /unknown root "nope"/);
    assert.match(problems[2]!, /unknown pipe "shout"/);
    assert.equal(problems[3], undefined);
  });

  test('ignores escaped placeholders and keys', () => {
    assert.deepEqual(findTemplateReferences({ '{{ inputs.k }}': '\\{{ inputs.x }}' }, '$'), []);
  });
});

describe('hasTemplate / isWholeTemplate', () => {
  const cases: [string, boolean, boolean][] = [
    ['{{ inputs.x }}', true, true],
    [' {{inputs.x}} ', true, true],
    ['a {{ inputs.x }}', true, false],
    ['{{ inputs.x }}{{ inputs.y }}', true, false],
    ['\\{{ inputs.x }}', false, false],
    ['plain', false, false],
  ];
  for (const [s, has, whole] of cases) {
    test(JSON.stringify(s), () => {
      assert.equal(hasTemplate(s), has);
      assert.equal(isWholeTemplate(s), whole);
    });
  }
});
