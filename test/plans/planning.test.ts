/** Planning steps: a planner's answer is validated, repaired once, and joins the run's plan under its namespace. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachDialect, stepOf, uniqueName } from '../support/node.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';
import { makeAgentNode } from '../agent/harness.js';
import { PLAN, plannerDefinition } from './fixtures.js';

forEachDialect('planning steps', (db) => {
  let llm: StandIn;
  before(async () => (llm = await startStandIn()));
  after(() => llm.close());

  test('the accepted plan is the step output; its steps run under the planner, before what needed the planner', async () => {
    const node = await makeAgentNode(db, llm);
    const name = uniqueName('plan');
    await node.apply(plannerDefinition(name));
    llm.script([{ text: JSON.stringify(PLAN) }, { text: 'The digest.' }]);
    const before = llm.calls.length;
    const run = await node.runToEnd(name, { topic: 'rust' });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.equal(llm.calls.length - before, 2);
    assert.deepEqual(run.steps!.map((s) => [s.id, s.status, s.planned_by, s.plans]), [
      ['research', 'succeeded', null, true],
      ['research.gather', 'succeeded', 'research', false],
      ['research.write', 'succeeded', 'research', false],
      ['publish', 'succeeded', null, false],
    ]);
    const plan = stepOf(run, 'research').output as { steps: { id: string; needs: string[]; with: Record<string, unknown> }[] };
    assert.deepEqual(plan.steps.map((s) => [s.id, s.needs]), [['research.gather', ['research']], ['research.write', ['research.gather']]]);
    assert.equal(plan.steps[1]!.with.prompt, 'Write a digest about {{ inputs.topic }} from {{ steps["research.gather"].output.sources | json }}');
    // the planned agent step saw its inputs and its sibling's output
    assert.match(JSON.stringify(llm.calls.at(-1)!.messages), /Write a digest about rust from \[\\"a\\",\\"b\\"\]/);
    // the planner was told what it may plan
    assert.match(llm.calls[before]!.system ?? '', /planning step "research"/);
    assert.match(llm.calls[before]!.system ?? '', /- set:/);
    assert.doesNotMatch(llm.calls[before]!.system ?? '', /- http:/);
    const publish = stepOf(run, 'publish');
    assert.ok(Date.parse(publish.started_at!) >= Date.parse(stepOf(run, 'research.write').ended_at!));
    const events = await node.events(run.id);
    const accepted = events.find((e) => e.type === 'plan.accepted');
    assert.deepEqual(accepted?.data, { steps: ['research.gather', 'research.write'] });
    const report = await node.rota.runs.report(node.ws, run.id);
    assert.match(report.markdown, /research\.write \(planned by research\)/);
  });

  test('an invalid plan gets one repair turn naming every problem with its path', async () => {
    const node = await makeAgentNode(db, llm);
    const name = uniqueName('plan-repair');
    await node.apply(plannerDefinition(name));
    const bad = {
      steps: [
        { id: 'run', action: 'shell', with: { command: ['rm', '-rf', '/'] } },
        { id: 'write', action: 'agent', with: { prompt: '{{ steps.nope.output }} {{ secrets.KEY }}' } },
      ],
    };
    llm.script([{ text: JSON.stringify(bad) }, { text: JSON.stringify(PLAN) }, { text: 'ok' }]);
    const before = llm.calls.length;
    const run = await node.runToEnd(name, { topic: 'go' });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    const repair = JSON.stringify(llm.calls[before + 1]!.messages.at(-1));
    assert.match(repair, /Your plan is not valid/);
    assert.match(repair, /\$\.steps\[0\]\.action/);
    assert.match(repair, /not allowed in this plan/);
    assert.match(repair, /steps\.nope\.output }}: unknown step/);
    assert.match(repair, /secrets cannot be used in planned steps/);
    const conversation = await node.rota.agent!.conversation(node.ws, run.id, 'research');
    assert.deepEqual(conversation.artifacts.map((a) => a.valid), [false, true]);
  });

  test('still invalid after the repair turn: the step fails with plan_invalid and the paths', async () => {
    const node = await makeAgentNode(db, llm);
    const name = uniqueName('plan-fail');
    await node.apply(plannerDefinition(name, true));
    const tooMany = { steps: Array.from({ length: 11 }, (_, i) => ({ id: `s${i}`, action: 'set', with: {} })) };
    llm.script([{ text: 'not json' }, { text: JSON.stringify(tooMany) }]);
    const run = await node.runToEnd(name, { topic: 'go' });
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.code, 'plan_invalid');
    assert.equal(run.error?.step_id, 'research');
    assert.match(run.error!.message, /at most 10/);
    assert.equal(stepOf(run, 'publish').status, 'canceled');
  });

  test('nested plans and a DAG: a nested planner plans under its own id, what needed a planner waits for its whole plan', async () => {
    const node = await makeAgentNode(db, llm);
    const name = uniqueName('plan-nested');
    await node.apply(plannerDefinition(name, { allow: ['agent', 'set'], max_steps: 4 }));
    const outer = { steps: [{ id: 'inner', action: 'agent', with: { prompt: 'Plan the details', plan: { allow: ['set'], max_steps: 3 } } }, { id: 'side', action: 'set', with: { side: 1 }, needs: [] }] };
    const inner = { steps: [{ id: 'a', action: 'set', with: { a: 1 } }, { id: 'b', action: 'set', with: { b: '{{ steps.a.output.a }}' }, needs: [] }] };
    llm.script((request) => ({ text: JSON.stringify(/Plan the details/.test(JSON.stringify(request.messages)) ? inner : outer) }));
    const run = await node.runToEnd(name, { topic: 'x' });
    assert.equal(run.status, 'failed', 'b reads a without needing it');
    assert.equal(run.error?.code, 'plan_invalid');
    assert.match(JSON.stringify(run.error?.details), /not upstream/);
    const fixed = { steps: [{ id: 'a', action: 'set', with: { a: 1 } }, { id: 'b', action: 'set', with: { b: '{{ steps.a.output.a }}' } }, { id: 'c', action: 'set', with: { c: 3 }, needs: [] }] };
    llm.script((request) => ({ text: JSON.stringify(/Plan the details/.test(JSON.stringify(request.messages)) ? fixed : outer) }));
    const ok = await node.runToEnd(name, { topic: 'x' });
    assert.equal(ok.status, 'succeeded', JSON.stringify(ok.error));
    assert.deepEqual(ok.steps!.map((s) => [s.id, s.planned_by]), [
      ['research', null],
      ['research.inner', 'research'],
      ['research.inner.a', 'research.inner'],
      ['research.inner.b', 'research.inner'],
      ['research.inner.c', 'research.inner'],
      ['research.side', 'research'],
      ['publish', null],
    ]);
    assert.deepEqual(stepOf(ok, 'research.inner.b').output, { b: 1 });
    const publish = Date.parse(stepOf(ok, 'publish').started_at!);
    for (const id of ['research.inner.b', 'research.inner.c', 'research.side']) assert.ok(publish >= Date.parse(stepOf(ok, id).ended_at!), `publish after ${id}`);
  });

  test('a retried run reuses its plan and the planned steps that completed: the planner is not called again', async () => {
    const node = await makeAgentNode(db, llm);
    const name = uniqueName('plan-retry');
    await node.apply(plannerDefinition(name));
    let fail = true;
    let planned = 0;
    llm.script((request) => {
      if ((request.system ?? '').includes('planning step')) return planned++, { text: JSON.stringify(PLAN) };
      return fail ? { status: 400, error: 'refused' } : { text: 'written' };
    });
    const run = await node.runToEnd(name, { topic: 'x' });
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.step_id, 'research.write');
    fail = false;
    const retry = await node.rota.runs.retry(node.ws, run.id);
    const done = await node.waitEnd(retry.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.equal(planned, 1);
    assert.deepEqual(done.steps!.map((s) => [s.id, s.status, (s.external_ref as { reused_from?: string } | null)?.reused_from ?? null]), [
      ['research', 'succeeded', run.id],
      ['research.gather', 'succeeded', run.id],
      ['research.write', 'succeeded', null],
      ['publish', 'succeeded', null],
    ]);
  });
});
