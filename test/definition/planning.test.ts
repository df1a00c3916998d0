/** A planner's answer against its scope (definition/planning.ts): what a planned step may not do. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkPlannedSteps, checkPlanningSteps, stepPlanning, type PlanningScope } from '../../src/definition/planning.js';
import { inputsInfo } from '../../src/definition/references.js';
import { fakeActions } from './fixtures.js';

const scope = (extra: Partial<PlanningScope> = {}): PlanningScope => ({
  planner: 'research',
  spec: { allow: ['agent', 'set'], maxSteps: 5 },
  upstream: ['fetch'],
  runSteps: ['fetch', 'research', 'publish'],
  inputs: inputsInfo({ type: 'object', properties: { topic: { type: 'string' } } }),
  tools: ['lookup'],
  lookup: (type) => fakeActions.get(type),
  ...extra,
});

const paths = (steps: unknown[], s = scope()) => checkPlannedSteps(steps, s).map((p) => p.path);

test('templates cannot decide what a planned agent step may do', () => {
  const problems = checkPlannedSteps([
    { id: 's', action: 'set', with: { t: ['danger'] } },
    { id: 'w', action: 'agent', with: { prompt: 'go', tools: '{{ steps.s.output.t }}', model: '{{ inputs.topic }}' } },
  ], scope());
  assert.deepEqual(problems.map((p) => p.path).sort(), ['$.steps[1].with.model', '$.steps[1].with.tools', '$.steps[1].with.tools'].sort());
  assert.ok(problems.some((p) => /cannot be a template/.test(p.message)));
});

test('ids: no run step\'s id, no dots; references to run steps only upstream of the planner', () => {
  assert.deepEqual(paths([{ id: 'fetch', action: 'set', with: {} }]), ['$.steps[0].id']);
  assert.deepEqual(paths([{ id: 'a.b', action: 'set', with: {} }]), ['$.steps[0].id']);
  const late = checkPlannedSteps([{ id: 'a', action: 'set', with: { x: '{{ steps.publish.output }}' } }], scope());
  assert.match(late[0]!.message, /not upstream of the planning step "research"/);
  // a nested plan reads neither its planner's output nor the outer planner's (plans, not data)
  const nested = scope({ planner: 'research.inner', upstream: ['fetch', 'research'], runSteps: ['fetch', 'research', 'research.inner', 'publish'] });
  const plans = checkPlannedSteps([{ id: 'a', action: 'set', with: { x: '{{ steps.research.output }}', y: '{{ steps["research.inner"].output }}' } }], nested);
  assert.deepEqual(plans.map((p) => [p.path, /cannot read the output of planning step "(research|research\.inner)"/.test(p.message)]), [
    ['$.steps[0].with.x', true],
    ['$.steps[0].with.y', true],
  ]);
});

test('the planner\'s tool approvals and budget are carried into the accepted plan', () => {
  const planning = stepPlanning(scope({ approvals: ['lookup'], budget: { max_cost_usd: 0.1 } }));
  const [step] = planning.join([{ id: 'w', action: 'agent', with: { prompt: 'go', tools: ['lookup'] } }]);
  assert.deepEqual(step!.with, { prompt: 'go', tools: ['lookup'], require_approval_for: ['lookup'], budget: { max_cost_usd: 0.1 } });
  const over = planning.check([{ id: 'w', action: 'agent', with: { prompt: 'go', budget: { max_cost_usd: 5 } } }]);
  assert.ok(over.some((p) => p.path === '$.steps[0].with.budget.max_cost_usd' && /at most the planning step's max_cost_usd \(0.1\)/.test(p.message)), JSON.stringify(over));
});

test('a definition: a declared id may not take a planner\'s namespace; a schedule needs allow_replan', () => {
  const problems = checkPlanningSteps(
    {
      triggers: [{ id: 'daily', type: 'schedule', cron: '0 9 * * *' }],
      steps: [{ id: 'research', action: 'agent', with: { prompt: 'p', plan: true } }, { id: 'research.extra', action: 'set' }],
      execution: { on_failure: [{ id: 'research.notify', action: 'set' }] },
    },
    (type) => fakeActions.get(type),
  );
  assert.deepEqual(problems.map((p) => p.path), ['$.steps[1].id', '$.execution.on_failure[0].id', '$.triggers[0]']);
});
