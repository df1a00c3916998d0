/** Freezing a realized plan (definition/freeze.ts): order, literals, input placeholders, the report. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActionDefinition } from '../../src/actions/types.js';
import { freezeRun, type FreezeRequest, type FreezeSource } from '../../src/definition/freeze.js';
import { joinPlannedSteps } from '../../src/definition/planning.js';
import type { Definition, StepDef } from '../../src/definition/types.js';

const actions = new Map<string, Partial<ActionDefinition>>([
  ['agent', { textFields: ['prompt', 'system'] }],
  ['approval', { textFields: ['message', 'details'] }],
  ['http', {}],
  ['shell', {}],
  ['set', {}],
]);
const lookup = (type: string) => actions.get(type) as ActionDefinition | undefined;

const planner = (id: string, extra: Partial<StepDef> = {}): StepDef => ({ id, action: 'agent', with: { prompt: 'Plan for {{ inputs.topic }}', plan: true }, ...extra });

function source(definition: Partial<Definition>, plans: Record<string, StepDef[]>, statuses: Record<string, string> = {}, inputs: Record<string, unknown> = { topic: 'rust' }): FreezeSource {
  const steps = new Map<string, { status: string; output: unknown }>();
  for (const step of definition.steps ?? []) steps.set(step.id, { status: statuses[step.id] ?? 'succeeded', output: null });
  for (const [id, plan] of Object.entries(plans)) {
    const joined = joinPlannedSteps(plan, id);
    steps.set(id, { status: statuses[id] ?? 'succeeded', output: { steps: joined } });
    for (const s of joined) if (!steps.has(s.id)) steps.set(s.id, { status: statuses[s.id] ?? 'succeeded', output: { done: s.id } });
  }
  return { runId: 'run1', definition: { name: 'src', inputs: { type: 'object', properties: { topic: { type: 'string' } } }, ...definition } as Definition, inputs, steps };
}

const freeze = (src: FreezeSource, request: Partial<FreezeRequest> = {}) => freezeRun(src, { name: 'saved', inputs: [{ name: 'topic', required: true }], ...request }, lookup, null);

test('a DAG plan: its first steps take the planner\'s needs, what needed the planner needs the plan\'s last steps', () => {
  const src = source(
    { steps: [{ id: 'fetch', action: 'set', with: {} }, planner('plan'), { id: 'after', action: 'set', with: {} }] },
    {
      plan: [
        { id: 'a', action: 'agent', with: { prompt: 'A about {{ inputs.topic }}' } },
        { id: 'b', action: 'set', with: {}, needs: [] },
        { id: 'c', action: 'set', with: { from: '{{ steps.a.output }}' }, needs: ['a'] },
      ],
    },
  );
  const { definition, problems, report } = freeze(src);
  assert.deepEqual(problems, []);
  assert.deepEqual(definition.steps.map((s) => [s.id, s.needs]), [
    ['fetch', undefined],
    ['plan.a', undefined],
    ['plan.b', ['fetch']],
    ['plan.c', ['plan.a']],
    ['after', ['plan.b', 'plan.c']],
  ]);
  assert.equal(definition.steps[3]!.with!.from, '{{ steps["plan.a"].output }}');
  assert.deepEqual(report.frozen, [{ step: 'plan', steps: ['plan.a', 'plan.b', 'plan.c'] }]);
});

test('nested planners are frozen too, or kept planning when asked', () => {
  const plans = {
    outer: [
      { id: 'inner', action: 'agent', with: { prompt: 'Plan more', plan: true } },
      { id: 'last', action: 'agent', with: { prompt: 'Sum up {{ inputs.topic }}' } },
    ],
    'outer.inner': [{ id: 'x', action: 'set', with: {} }],
  };
  const src = source({ steps: [planner('outer')] }, plans);
  const all = freeze(src);
  assert.deepEqual(all.problems, []);
  assert.deepEqual(all.definition.steps.map((s) => s.id), ['outer.inner.x', 'outer.last']);
  assert.deepEqual(all.report.frozen.map((f) => f.step), ['outer', 'outer.inner']);
  const partial = freeze(src, { keep_planning: ['outer.inner'] });
  assert.deepEqual(partial.definition.steps.map((s) => s.id), ['outer.inner', 'outer.last']);
  assert.equal(partial.report.partially_frozen, true);
  assert.deepEqual(partial.report.still_planning, [{ step: 'outer.inner', reason: 'kept planning (keep_planning)' }]);
  const unknown = freeze(src, { keep_planning: ['nope'] });
  assert.ok(unknown.problems.some((p) => p.path === '$.keep_planning' && /"nope" is not a planning step/.test(p.message)));
});

test('placeholders outside text fields are refused with their paths: URL hosts, commands, tool lists', () => {
  const src = source(
    { steps: [planner('plan')] },
    {
      plan: [
        { id: 'get', action: 'http', with: { url: 'https://{{ inputs.topic }}.example.com/x' } },
        { id: 'say', action: 'shell', with: { command: ['echo', '{{ inputs.topic }}'] } },
        { id: 'ask', action: 'agent', with: { prompt: 'About {{ inputs.topic }}', tools: ['{{ inputs.topic }}'] } },
        { id: 'ok', action: 'approval', with: { message: 'Post about {{ inputs.topic }}?' } },
      ],
    },
  );
  const { problems, report } = freeze(src);
  const paths = problems.map((p) => p.path);
  assert.deepEqual(paths, ['$.steps[0].with.url', '$.steps[1].with.command[1]', '$.steps[2].with.tools[0]']);
  assert.match(problems[0]!.message, /only in text fields \(action "http" has none\)/);
  assert.match(problems[2]!.message, /text fields \(of action "agent": prompt, system\)/);
  assert.deepEqual(report.inputs[0]!.used_at, ['$.steps[2].with.prompt', '$.steps[3].with.message']);
});

test('every placeholder declared, every input used, names checked', () => {
  const src = source({ steps: [planner('plan')] }, { plan: [{ id: 'w', action: 'agent', with: { prompt: '{{ inputs.topic }} for {{ inputs.reader }}' } }] });
  const undeclared = freeze(src).problems;
  assert.deepEqual(undeclared.map((p) => p.path), ['$.steps[0].with.prompt']);
  assert.match(undeclared[0]!.message, /input "reader" is not declared.*--input reader=description.*--literal reader/);
  const bad = freeze(src, { inputs: [{ name: 'topic' }, { name: 'reader', default: 'me' }, { name: 'topic' }, { name: 'no spaces' }, { name: 'spare', default: 1 }] }).problems;
  assert.deepEqual(bad.map((p) => [p.path, p.message.split(':')[0]]), [
    ['$.inputs[2].name', 'duplicate input "topic"'],
    ['$.inputs[3].name', 'must match ^[A-Za-z0-9_-]{1,64}$ (letters, digits, _ and -)'],
    ['$.inputs[4]', 'input "spare" is not used'],
  ]);
});

test('literals: a frozen planner\'s output and literal inputs take the source run\'s values; optional inputs default to it', () => {
  const src = source(
    { steps: [planner('plan'), { id: 'note', action: 'agent', with: { prompt: 'Why: {{ steps.plan.output.summary }}' } }] },
    { plan: [{ id: 'w', action: 'http', with: { url: 'https://api.example.com/{{ inputs.topic }}' } }, { id: 'x', action: 'agent', with: { prompt: 'rust is great, {{ inputs.reader }}' } }] },
    {},
    { topic: 'rust', reader: 'Ada' },
  );
  (src.steps.get('plan')!.output as Record<string, unknown>).summary = 'fetch, then write';
  const { definition, problems, report } = freeze(src, { inputs: [{ name: 'reader' }], literal: ['topic'] });
  assert.deepEqual(problems, []);
  assert.equal(definition.steps[0]!.with!.url, 'https://api.example.com/rust');
  assert.equal(definition.steps[2]!.with!.prompt, 'Why: fetch, then write');
  assert.deepEqual(definition.inputs, { type: 'object', properties: { reader: { type: 'string', default: 'Ada' } }, additionalProperties: false });
  assert.deepEqual(report.literals.map((l) => [l.path, l.reason.split(' ').slice(0, 3).join(' ')]), [
    ['$.steps[0].with.url', 'input "topic" of'],
    ['$.steps[2].with.prompt', 'the output of'],
    ['$.steps[1].with.prompt', 'the plan wrote'],
    ['$.inputs.properties.reader.default', 'the default of'],
  ]);
});

test('a literal that would read as a template is refused: the plan itself, a value holding {{', () => {
  const src = source(
    { steps: [planner('plan'), { id: 'note', action: 'agent', with: { prompt: 'Steps: {{ steps.plan.output.steps | json }}' } }] },
    { plan: [{ id: 'w', action: 'http', with: { url: 'https://api.example.com/{{ inputs.topic }}' } }] },
    {},
    { topic: '{{ secrets.PROD_TOKEN }}' },
  );
  const { problems } = freeze(src, { inputs: [], literal: ['topic'] });
  assert.deepEqual(problems.map((p) => p.path), ['$.steps[0].with.url', '$.steps[1].with.prompt']);
  assert.ok(problems.every((p) => /cannot take literally/.test(p.message)));
});

test('a whole-field placeholder of a text field needs a string input; literal and keep_planning names are checked', () => {
  const src = source({ steps: [planner('plan')] }, { plan: [{ id: 'w', action: 'agent', with: { prompt: '{{ inputs.topic }}' } }] });
  const typed = freeze(src, { inputs: [{ name: 'topic', type: 'integer', required: true }] }).problems;
  assert.match(typed[0]!.message, /must be a string \(it is integer\)/);
  const names = freeze(src, { literal: ['topic', 'nope'] }).problems.filter((p) => p.path === '$.literal').map((p) => p.message);
  assert.deepEqual(names, ['input "topic" is both declared (inputs) and frozen (literal); choose one', 'input "nope" is not read by any saved step: nothing to freeze']);
});

test('a conditional planner\'s steps keep its condition', () => {
  const src = source({ steps: [planner('plan', { if: { 'run.trigger': 'manual' } })] }, { plan: [{ id: 'a', action: 'set', with: {} }, { id: 'b', action: 'set', with: {}, if: { 'run.attempt': 1 } }] });
  const { definition, report } = freeze(src);
  assert.deepEqual(definition.steps.map((s) => s.if), [{ 'run.trigger': 'manual' }, { $and: [{ 'run.trigger': 'manual' }, { 'run.attempt': 1 }] }]);
  assert.deepEqual(report.warnings.filter((w) => w.code === 'conditional_step').map((w) => w.path), ['$.steps[0].if', '$.steps[1].if']);
});

test('warnings where the source run\'s course depended on what it found', () => {
  const src = source(
    { steps: [planner('plan'), { id: 'maybe', action: 'set', with: {}, if: { 'inputs.topic': 'go' } }] },
    { plan: [{ id: 'w', action: 'agent', with: { prompt: '{{ inputs.topic }}' }, if: { 'inputs.topic': 'rust' } }] },
    { maybe: 'skipped' },
  );
  const { report, problems } = freeze(src);
  assert.deepEqual(report.warnings.map((w) => [w.code, w.path]), [
    ['plan_chose', '$.steps'],
    ['conditional_step', '$.steps[0].if'],
    ['skipped_in_source', '$.steps[1]'],
  ]);
  // an if: reading a declared input cannot stay in a saved automation
  assert.deepEqual(problems.map((p) => p.path), ['$.steps[0].if["inputs.topic"]', '$.steps[1].if["inputs.topic"]']);
});

test('a planner that did not plan (skipped) stays a planning step', () => {
  const src = source({ steps: [planner('plan', { if: { 'run.attempt': 9 } }), { id: 'tail', action: 'agent', with: { prompt: '{{ inputs.topic }}' } }] }, {}, { plan: 'skipped' });
  const { definition, report } = freeze(src);
  assert.deepEqual(definition.steps.map((s) => s.id), ['plan', 'tail']);
  assert.equal(report.partially_frozen, true);
  assert.match(report.still_planning[0]!.reason, /skipped in the source run/);
});
