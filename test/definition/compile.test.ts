import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DefinitionError, ErrorCode } from '../../src/errors.js';
import { compileDefinition, definitionHash, parseDefinition, parseDefinitionText } from '../../src/definition/parse.js';
import { DEFAULT_RETRY, type Definition } from '../../src/definition/types.js';
import { fakeActions, SPEC_EXAMPLE } from './fixtures.js';

function problemsOf(raw: unknown): { path: string; message: string }[] {
  try {
    compileDefinition(raw, fakeActions);
  } catch (err) {
    assert.ok(err instanceof DefinitionError, String(err));
    assert.equal(err.code, ErrorCode.definition_invalid);
    assert.equal(err.message, `definition is invalid: ${err.problems.length} problem${err.problems.length === 1 ? '' : 's'}`);
    return err.problems;
  }
  assert.fail('expected a DefinitionError');
}

/** A small valid definition; each case below breaks one thing. */
function base(): Record<string, any> {
  return {
    name: 'demo',
    inputs: { type: 'object', properties: { repo: { type: 'string' }, n: { type: 'integer', default: 1 } }, required: ['repo'] },
    triggers: [{ id: 'tick', type: 'schedule', every: '1h', inputs: { repo: 'acme/api' } }],
    steps: [
      { id: 'a', action: 'http', with: { url: 'https://x.test/{{ inputs.repo }}' } },
      { id: 'b', action: 'set', with: { v: '{{ steps.a.output.body }}' } },
    ],
  };
}

describe('compileDefinition: valid definitions', () => {
  test('the SPEC §2 example compiles into a plan with defaults', () => {
    const { definition, plan } = parseDefinition(SPEC_EXAMPLE, fakeActions);
    assert.equal(definition.name, 'triage-new-issues');
    assert.deepEqual(
      plan.steps.map((s) => [s.id, s.needs]),
      [['fetch', []], ['triage', ['fetch']], ['confirm', ['triage']], ['post', ['confirm']]],
    );
    assert.deepEqual(plan.steps[0]!.retry, { maxRetries: 2, backoff: 'exponential', baseDelayMs: 2000, maxDelayMs: 300_000, jitter: true });
    assert.equal(plan.steps[0]!.timeoutMs, 5 * 60_000);
    assert.deepEqual(plan.steps[2]!.if, { 'steps.triage.output.label': 'bug' });
    assert.deepEqual(plan.onFailure.map((s) => [s.id, s.onFailure, s.needs]), [['alert', true, []]]);
    assert.equal(plan.timeoutMs, 10 * 60_000);
    assert.equal(plan.concurrency, 2);
    assert.equal(plan.concurrencyKey, null);
    assert.equal(plan.inputsSchema?.type, 'object');
    assert.deepEqual(plan.retention, { maxAgeMs: 30 * 86_400_000, maxRuns: 100, keepFailedMs: null });
  });

  test('defaults without execution; needs: [] means no dependency; step retry merges field by field', () => {
    const raw = base();
    raw.steps.push({ id: 'c', action: 'set', needs: [], timeout: '30s', retry: { max_retries: 3 }, continue_on_error: true });
    raw.execution = { retry: { backoff: 'fixed', base_delay: '5s' } };
    const { plan } = compileDefinition(raw, fakeActions);
    const c = plan.steps[2]!;
    assert.deepEqual(c.needs, []);
    assert.equal(c.timeoutMs, 30_000);
    assert.equal(c.continueOnError, true);
    assert.deepEqual(c.retry, { ...DEFAULT_RETRY, maxRetries: 3, backoff: 'fixed', baseDelayMs: 5000 });
    assert.deepEqual(plan.steps[0]!.retry, { ...DEFAULT_RETRY, backoff: 'fixed', baseDelayMs: 5000 });
    assert.equal(plan.timeoutMs, 10 * 60_000);
    assert.equal(plan.concurrency, null);
    // nothing set: every key falls back to the node's retention configuration
    assert.deepEqual(plan.retention, { maxAgeMs: null, maxRuns: null, keepFailedMs: null });
  });

  test('templates where the config schema expects another type are accepted', () => {
    const raw = base();
    raw.steps[0].with = { url: '{{ inputs.repo }}', method: '{{ inputs.repo }}', timeout_ms: '{{ inputs.n }}', headers: '{{ steps.x.output }}' };
    raw.steps[0].with.headers = { Authorization: 'Bearer {{ secrets.TOKEN }}' };
    assert.doesNotThrow(() => compileDefinition(raw, fakeActions));
  });

  test('a function lookup works too', () => {
    assert.doesNotThrow(() => compileDefinition(base(), (type) => fakeActions.get(type)));
  });

  test('draft-07 inputs schemas are accepted', () => {
    const raw = base();
    raw.inputs = { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', definitions: { s: { type: 'string' } }, properties: { repo: { $ref: '#/definitions/s' } } };
    assert.doesNotThrow(() => compileDefinition(raw, fakeActions));
  });

  test('metadata keeps unknown keys', () => {
    const raw = { ...base(), metadata: { owner: 'ana', anything: { deep: [1] } } };
    assert.deepEqual(compileDefinition(raw, fakeActions).definition.metadata, raw.metadata);
  });

  test('on_failure steps may read main outputs and run.error', () => {
    const raw = base();
    raw.execution = { on_failure: [{ id: 'alert', action: 'emit_event', with: { name: 'failed', data: { err: '{{ run.error }}', a: '{{ steps.b.output }}' } } }, { id: 'again', action: 'set', with: { x: '{{ steps.alert.output }}' } }] };
    const { plan } = compileDefinition(raw, fakeActions);
    assert.deepEqual(plan.onFailure.map((s) => s.needs), [[], ['alert']]);
  });
});

type Mutation = (raw: Record<string, any>) => void;

describe('compileDefinition: each problem with its path', () => {
  const cases: [string, Mutation, string, RegExp][] = [
    ['unknown top-level key', (r) => (r.extra = 1), '$.extra', /unknown key/],
    ['unknown step key', (r) => (r.steps[0].runs_on = 'x'), '$.steps[0].runs_on', /unknown key/],
    ['bad name', (r) => (r.name = 'Demo!'), '$.name', /must match/],
    ['missing steps', (r) => delete r.steps, '$.steps', /is required/],
    ['bad step id', (r) => (r.steps[1].id = 'b b'), '$.steps[1].id', /must match/],
    ['bad type', (r) => (r.steps[0].continue_on_error = 'yes'), '$.steps[0].continue_on_error', /expected boolean/],
    ['bad duration', (r) => (r.steps[0].timeout = '5'), '$.steps[0].timeout', /invalid duration/],
    ['max_retries bound', (r) => (r.steps[0].retry = { max_retries: 101 }), '$.steps[0].retry.max_retries', /100/],
    ['concurrency bound', (r) => (r.execution = { concurrency: 0 }), '$.execution.concurrency', /1/],
    ['unknown trigger type', (r) => (r.triggers[0].type = 'cronjob'), '$.triggers[0].type', /schedule, webhook, event, manual/],
    ['schedule without cron/every/at', (r) => delete r.triggers[0].every, '$.triggers[0]', /exactly one of cron, every, at/],
    ['schedule with two kinds', (r) => (r.triggers[0].cron = '* * * * *'), '$.triggers[0]', /exactly one.*got cron, every/],
    ['bad cron', (r) => (r.triggers[0] = { id: 't', type: 'schedule', cron: '61 * * * *' }), '$.triggers[0].cron', /invalid cron/],
    ['cron that never fires', (r) => (r.triggers[0] = { id: 't', type: 'schedule', cron: '0 0 31 2 *' }), '$.triggers[0].cron', /never fires/],
    ['cron with 7 fields', (r) => (r.triggers[0] = { id: 't', type: 'schedule', cron: '0 0 0 * * * 2030' }), '$.triggers[0].cron', /5 fields/],
    ['unknown timezone', (r) => (r.triggers[0].timezone = 'Mars/Base'), '$.triggers[0].timezone', /unknown timezone/],
    ['every below 1s', (r) => (r.triggers[0].every = '500ms'), '$.triggers[0].every', /at least 1s/],
    ['at not RFC 3339', (r) => (r.triggers[0] = { id: 't', type: 'schedule', at: '2026-01-01 09:00' }), '$.triggers[0].at', /RFC 3339/],
    ['duplicate trigger id', (r) => r.triggers.push({ id: 'tick', type: 'manual' }), '$.triggers[1].id', /duplicate trigger id/],
    ['trigger filter root', (r) => (r.triggers[0].filter = { 'inputs.x': 1 }), '$.triggers[0].filter["inputs.x"]', /unknown path root "inputs"/],
    ['trigger filter operator', (r) => (r.triggers[0].filter = { 'data.x': { $in: 'a' } }), '$.triggers[0].filter["data.x"].$in', /array/],
    ['trigger inputs use steps', (r) => (r.triggers[0].inputs.repo = '{{ steps.a.output }}'), '$.triggers[0].inputs.repo', /not available/],
    ['trigger inputs violate the schema', (r) => (r.triggers[0].inputs.repo = 5), '$.triggers[0].inputs.repo', /must be string/],
    ['trigger inputs miss a required input', (r) => (r.triggers[0].inputs = {}), '$.triggers[0].inputs.repo', /is required/],
    ['inputs not a JSON Schema', (r) => (r.inputs.properties.repo.type = 'text'), '$.inputs.properties.repo.type', /must be/],
    ['inputs not an object schema', (r) => (r.inputs = { type: 'string' }), '$.inputs.type', /type: object/],
    ['unknown action', (r) => (r.steps[1].action = 'smtp'), '$.steps[1].action', /unknown action "smtp" \(known: agent, approval, emit_event, http, set\)/],
    ['with: misses a required field', (r) => (r.steps[0].with = {}), '$.steps[0].with.url', /is required/],
    ['with: unknown field', (r) => (r.steps[0].with.verb = 'GET'), '$.steps[0].with.verb', /not an allowed property/],
    ['with: wrong literal type', (r) => (r.steps[0].with.timeout_ms = 'soon'), '$.steps[0].with.timeout_ms', /must be integer/],
    ['with: bad enum', (r) => (r.steps[0].with.method = 'FETCH'), '$.steps[0].with.method', /must be one of/],
    ['duplicate step id', (r) => r.steps.push({ id: 'a', action: 'set' }), '$.steps[2].id', /duplicate step id "a"/],
    ['duplicate id across on_failure', (r) => (r.execution = { on_failure: [{ id: 'b', action: 'set' }] }), '$.execution.on_failure[0].id', /duplicate step id "b"/],
    ['needs unknown step', (r) => (r.steps[1].needs = ['a', 'zz']), '$.steps[1].needs[1]', /unknown step "zz"/],
    ['needs itself', (r) => (r.steps[1].needs = ['a', 'b']), '$.steps[1].needs[1]', /cannot need itself/],
    ['needs in on_failure', (r) => (r.execution = { on_failure: [{ id: 'x', action: 'set', needs: [] }] }), '$.execution.on_failure[0].needs', /not supported/],
    ['template: undeclared input', (r) => (r.steps[0].with.url = 'https://x.test/{{ inputs.owner }}'), '$.steps[0].with.url', /input "owner" is not declared/],
    ['template: input without an inputs schema', (r) => delete r.inputs && delete r.triggers[0].inputs, '$.steps[0].with.url', /input "repo" is not declared: this definition has no inputs schema; declare it under inputs:/],
    ['if: input without an inputs schema', (r) => (delete r.inputs, delete r.triggers[0].inputs, (r.steps[0].with.url = 'https://x.test'), (r.steps[0].if = { 'inputs.go': true })), '$.steps[0].if["inputs.go"]', /declare it under inputs:/],
    ['template: step not upstream', (r) => (r.steps[0].with.url = '{{ steps.b.output.x }}'), '$.steps[0].with.url', /step "b" is not upstream of step "a"/],
    ['template: unknown step', (r) => (r.steps[1].with.v = '{{ steps.zz.output }}'), '$.steps[1].with.v', /unknown step "zz"/],
    ['template: step without output', (r) => (r.steps[1].with.v = '{{ steps.a.status }}'), '$.steps[1].with.v', /steps.<id>.output/],
    ['template: own output', (r) => (r.steps[1].with.v = '{{ steps.b.output }}'), '$.steps[1].with.v', /its own output/],
    ['template: data in a step', (r) => (r.steps[1].with.v = '{{ data.x }}'), '$.steps[1].with.v', /only available in trigger inputs and filters/],
    ['template: run field', (r) => (r.steps[1].with.v = '{{ run.error }}'), '$.steps[1].with.v', /run has no field "error"/],
    ['template: secret outside secret field', (r) => (r.steps[0].with.url = '{{ secrets.T }}'), '$.steps[0].with.url', /secret-capable fields: headers/],
    ['template: piped secret', (r) => (r.steps[0].with.headers = { a: '{{ secrets.T | json }}' }), '$.steps[0].with.headers.a', /pipes are not supported on secrets/],
    ['template: unknown pipe', (r) => (r.steps[1].with.v = '{{ steps.a.output | yaml }}'), '$.steps[1].with.v', /unknown pipe "yaml"/],
    ['template: bad syntax', (r) => (r.steps[1].with.v = '{{ steps.a.output. }}'), '$.steps[1].with.v', /invalid path/],
    ['if: unknown root', (r) => (r.steps[1].if = { 'data.x': 1 }), '$.steps[1].if["data.x"]', /unknown path root "data"/],
    ['if: step not upstream', (r) => (r.steps[0].if = { 'steps.b.output.ok': true }), '$.steps[0].if["steps.b.output.ok"]', /not upstream/],
    ['if: undeclared input', (r) => (r.steps[0].if = { 'inputs.zz': 1 }), '$.steps[0].if["inputs.zz"]', /not declared/],
    ['concurrency_key over steps', (r) => (r.execution = { concurrency_key: '{{ steps.a.output }}' }), '$.execution.concurrency_key', /may only use inputs/],
    ['concurrency_key undeclared input', (r) => (r.execution = { concurrency_key: 'k-{{ inputs.zz }}' }), '$.execution.concurrency_key', /not declared/],
    ['retention duration', (r) => (r.execution = { retention: { max_age: 'forever' } }), '$.execution.retention.max_age', /invalid duration/],
    ['webhook secret ref', (r) => r.triggers.push({ id: 'w', type: 'webhook', verify: { scheme: 'github', secret: { env: 'bad name' } } }), '$.triggers[1].verify.secret.env', /environment variable/],
  ];
  for (const [name, mutate, path, message] of cases) {
    test(name, () => {
      const raw = base();
      mutate(raw);
      const problems = problemsOf(raw);
      const hit = problems.find((p) => p.path === path && message.test(p.message));
      assert.ok(hit, `expected ${path} ~ ${message}, got ${JSON.stringify(problems, null, 1)}`);
      assert.equal(problems.length, 1, `expected exactly one problem, got ${JSON.stringify(problems, null, 1)}`);
    });
  }
});

describe('compileDefinition: cycles', () => {
  test('an explicit cycle is named once', () => {
    const raw = base();
    raw.steps[0].needs = ['b'];
    raw.steps[1].needs = ['a'];
    const problems = problemsOf(raw);
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.path, '$.steps[0].needs');
    assert.match(problems[0]!.message, /cycle: a → b → a/);
  });

  test('a cycle through an implicit dependency says so', () => {
    const raw = base();
    raw.steps[0].needs = ['b']; // b implicitly needs a, the previous step
    const problems = problemsOf(raw);
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /cycle: a → b → a; "b" implicitly needs the previous step/);
  });
});

test('compileDefinition reports every problem together, shape and cross-field alike', () => {
  const raw = base();
  raw.extra = true;
  raw.steps[0].timeout = 'soon';
  raw.steps[1].action = 'nope';
  raw.steps.push({ id: 'c', action: 'http', needs: ['ghost'], with: { url: '{{ inputs.zz }}' } });
  raw.triggers[0].timezone = 'Nowhere/City';
  const paths = problemsOf(raw).map((p) => p.path).sort();
  assert.deepEqual(paths, ['$.extra', '$.steps[0].timeout', '$.steps[1].action', '$.steps[2].needs[0]', '$.steps[2].with.url', '$.triggers[0].timezone']);
});

test('compileDefinition survives garbage without throwing anything but DefinitionError', () => {
  for (const raw of [null, 3, 'x', [], {}, { steps: 'x' }, { steps: [null, 1, { id: 5 }] }, { name: 'a', steps: [{ id: 'a', action: 'http', with: 'x', needs: 'b', if: 3 }] }, { triggers: [1, { type: 'schedule' }], execution: { on_failure: 'x' } }]) {
    assert.ok(problemsOf(raw).length > 0);
  }
});

describe('parseDefinitionText', () => {
  test('reads YAML and JSON', () => {
    assert.deepEqual(parseDefinitionText('a: 1\nb: [x]\n'), { a: 1, b: ['x'] });
    assert.deepEqual(parseDefinitionText('{"a": {"b": null}}', 'json'), { a: { b: null } });
  });

  const bad: [string, 'yaml' | 'json', RegExp][] = [
    ['a: [1, 2\n', 'yaml', /^invalid YAML: line 2, column 1: Flow sequence/],
    ['a: 1\na: 2\n', 'yaml', /^invalid YAML: line 2, column 1: Map keys must be unique$/],
    ['a: 1\n---\nb: 2\n', 'yaml', /^invalid YAML: line 2, column 1: Source contains multiple documents/],
    ['{\n"a": }', 'json', /^invalid JSON: [\s\S]*not valid JSON/],
    ['{\n"a": [1,\n}', 'json', /^invalid JSON: line \d+, column \d+: /],
  ];
  for (const [text, format, message] of bad) {
    test(`rejects ${JSON.stringify(text)}`, () => {
      assert.throws(
        () => parseDefinitionText(text, format),
        (err: unknown) => err instanceof DefinitionError && message.test(err.message) && err.problems.length > 0,
      );
    });
  }
});

describe('definitionHash', () => {
  test('ignores key order and changes with content', () => {
    const a = { name: 'x', steps: [{ id: 's', action: 'set', with: { a: 1, b: 2 } }] } as Definition;
    const b = { steps: [{ with: { b: 2, a: 1 }, action: 'set', id: 's' }], name: 'x' } as Definition;
    const c = { name: 'x', steps: [{ id: 's', action: 'set', with: { a: 1, b: 3 } }] } as Definition;
    assert.equal(definitionHash(a), definitionHash(b));
    assert.notEqual(definitionHash(a), definitionHash(c));
    assert.match(definitionHash(a), /^[0-9a-f]{64}$/);
  });
});
