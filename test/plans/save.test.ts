/** Saving a planner's run as an automation: the realized plan frozen, typed inputs, runs without planning. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { forEachDialect, stepOf, uniqueName, type TestNode } from '../support/node.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';
import { makeAgentNode } from '../agent/harness.js';
import { DefinitionError, ConflictError } from '../../src/errors.js';
import { PLAN, plannerDefinition } from './fixtures.js';

async function plannedRun(node: TestNode, llm: StandIn, plan: unknown, inputs: Record<string, unknown> = { topic: 'rust' }, allow = ['agent', 'set']) {
  const name = uniqueName('planner');
  await node.apply(plannerDefinition(name, { allow, max_steps: 5 }));
  llm.script((request) => (request.system?.includes('planning step') ? { text: JSON.stringify(plan) } : { text: 'written' }));
  const run = await node.runToEnd(name, inputs);
  assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
  return run;
}

function problemsOf(err: unknown): { path: string; message: string }[] {
  assert.ok(err instanceof DefinitionError, String(err));
  return err.problems;
}

forEachDialect('saved workflows', (db) => {
  let llm: StandIn;
  let server: Server;
  let port = 0;
  before(async () => {
    llm = await startStandIn();
    server = createServer((_req, res) => res.end('{"ok":true}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await llm.close();
    await new Promise((resolve) => server.close(resolve));
  });

  test('a saved plan runs three times with new inputs in its prompts and no planner call', async () => {
    const node = await makeAgentNode(db, llm);
    const source = await plannedRun(node, llm, PLAN);
    const name = uniqueName('digest');
    const saved = await node.rota.runs.saveAsAutomation(node.ws, source.id, { name, description: 'A digest', inputs: [{ name: 'topic', description: 'what the digest is about', required: true }] });
    assert.equal(saved.created, true);
    assert.equal(saved.automation!.saved_from_run, source.id);
    assert.deepEqual(saved.definition.steps.map((s) => s.id), ['research.gather', 'research.write', 'publish']);
    assert.deepEqual(saved.definition.steps.map((s) => s.needs), [undefined, undefined, undefined]);
    assert.deepEqual(saved.definition.steps[1]!.retry, { max_retries: 2 }, 'the plan\'s settings are kept');
    assert.deepEqual(saved.definition.inputs, { type: 'object', properties: { topic: { type: 'string', description: 'what the digest is about' } }, required: ['topic'], additionalProperties: false });
    assert.deepEqual(saved.report.frozen, [{ step: 'research', steps: ['research.gather', 'research.write'] }]);
    assert.equal(saved.report.partially_frozen, false);
    assert.deepEqual(saved.report.inputs.map((i) => [i.name, i.used_at]), [['topic', ['$.steps[1].with.prompt']]]);
    assert.deepEqual(saved.report.warnings.map((w) => w.code), ['plan_chose']);
    const version = await node.rota.automations.version(node.ws, name, 1);
    assert.equal(version.saved_from_run, source.id);
    assert.deepEqual(version.freeze_report, saved.report);

    const start = llm.calls.length;
    for (const topic of ['go', 'zig', 'ocaml']) {
      const run = await node.runToEnd(name, { topic });
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      assert.deepEqual(run.steps!.map((s) => [s.id, s.status, s.planned_by]), [
        ['research.gather', 'succeeded', null],
        ['research.write', 'succeeded', null],
        ['publish', 'succeeded', null],
      ]);
      assert.deepEqual(stepOf(run, 'research.gather').output, { sources: ['a', 'b'] });
      assert.match(JSON.stringify(llm.calls.at(-1)!.messages), new RegExp(`Write a digest about ${topic} from`));
    }
    const calls = llm.calls.slice(start);
    assert.equal(calls.length, 3, 'one model call per run: the planned agent step, never the planner');
    assert.ok(calls.every((c) => !(c.system ?? '').includes('planning step')));
  });

  test('refused at save with paths: a placeholder outside text fields, an undeclared one, an unused input', async () => {
    const node = await makeAgentNode(db, llm);
    const plan = {
      steps: [
        { id: 'fetch', action: 'http', with: { url: `http://127.0.0.1:${port}/{{ inputs.topic }}` } },
        { id: 'write', action: 'agent', with: { prompt: 'About {{ inputs.topic }}' } },
      ],
    };
    const source = await plannedRun(node, llm, plan, { topic: 'rust' }, ['agent', 'http']);
    const name = uniqueName('refused');
    const err = await node.rota.runs.saveAsAutomation(node.ws, source.id, { name, inputs: [{ name: 'topic', required: true }, { name: 'unused', default: 'x' }] }).catch((e: unknown) => e);
    const problems = problemsOf(err);
    assert.ok(problems.some((p) => p.path === '$.steps[0].with.url' && /only in text fields/.test(p.message)), JSON.stringify(problems));
    assert.ok(problems.some((p) => p.path === '$.inputs[1]' && /not used/.test(p.message)), JSON.stringify(problems));
    const undeclared = problemsOf(await node.rota.runs.saveAsAutomation(node.ws, source.id, { name, inputs: [] }).catch((e: unknown) => e));
    assert.ok(undeclared.some((p) => p.path === '$.steps[1].with.prompt' && /input "topic" is not declared/.test(p.message)), JSON.stringify(undeclared));
    // nothing was written
    await assert.rejects(node.rota.automations.get(node.ws, name), /not found/);
    // or every placeholder of the input frozen to the source run's value
    const literal = await node.rota.runs.saveAsAutomation(node.ws, source.id, { name, literal: ['topic'] });
    assert.equal(literal.definition.steps[0]!.with!.url, `http://127.0.0.1:${port}/rust`);
    assert.equal(literal.definition.steps[1]!.with!.prompt, 'About rust');
    assert.equal(literal.definition.inputs, undefined);
    assert.deepEqual(literal.report.literals.map((l) => [l.path, l.value]), [['$.steps[0].with.url', 'rust'], ['$.steps[1].with.prompt', 'rust']]);
  });

  test('a partially frozen automation keeps planning; a schedule on it needs allow_replan', async () => {
    const node = await makeAgentNode(db, llm);
    const source = await plannedRun(node, llm, PLAN);
    const name = uniqueName('partial');
    const schedule = { id: 'mornings', type: 'schedule', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin', inputs: { topic: 'rust' } };
    const dry = await node.rota.runs.saveAsAutomation(node.ws, source.id, { name, inputs: [{ name: 'topic', required: true }], keep_planning: ['research'], dry_run: true });
    assert.equal(dry.dry_run, true);
    assert.equal(dry.automation, null);
    assert.equal(dry.report.partially_frozen, true);
    assert.deepEqual(dry.report.still_planning, [{ step: 'research', reason: 'kept planning (keep_planning)' }]);
    await assert.rejects(node.rota.automations.get(node.ws, name), /not found/);
    const refused = problemsOf(await node.rota.runs.saveAsAutomation(node.ws, source.id, { name, inputs: [{ name: 'topic', required: true }], keep_planning: ['research'], triggers: [schedule as never] }).catch((e: unknown) => e));
    assert.ok(refused.some((p) => p.path === '$.triggers[0]' && /allow_replan: true/.test(p.message)), JSON.stringify(refused));
    const ok = await node.rota.runs.saveAsAutomation(node.ws, source.id, { name, inputs: [{ name: 'topic', required: true }], keep_planning: ['research'], triggers: [{ ...schedule, allow_replan: true } as never] });
    assert.equal(ok.created, true);
    assert.deepEqual(ok.automation!.triggers.map((t) => t.id), ['mornings']);
    // the fully frozen one takes the schedule as it is
    const frozen = await node.rota.runs.saveAsAutomation(node.ws, source.id, { name: uniqueName('frozen'), inputs: [{ name: 'topic', required: true }], triggers: [schedule as never] });
    assert.equal(frozen.report.partially_frozen, false);
    // and a planning automation applied with a schedule is refused the same way
    await assert.rejects(node.apply({ ...plannerDefinition(uniqueName('sched')), triggers: [schedule] }), (e: unknown) => problemsOf(e).some((p) => p.path === '$.triggers[0]'));
  });

  test('only a succeeded run with a planning step can be saved', async () => {
    const node = await makeAgentNode(db, llm);
    const name = uniqueName('failing');
    await node.apply(plannerDefinition(name));
    llm.script([{ text: 'no plan' }, { text: 'still none' }]);
    const failed = await node.runToEnd(name, { topic: 'x' });
    assert.equal(failed.status, 'failed');
    await assert.rejects(node.rota.runs.saveAsAutomation(node.ws, failed.id, { name: uniqueName('x') }), (e: unknown) => e instanceof ConflictError && /only a succeeded run/.test(e.message));
  });

  test('a frozen step that fails fails like any step: its retry, then on_failure; nothing plans again', async () => {
    const node = await makeAgentNode(db, llm);
    const name = uniqueName('planner-onfail');
    await node.apply({ ...plannerDefinition(name), execution: { on_failure: [{ id: 'alert', action: 'set', with: { alerted: '{{ run.error.code }}' } }] } });
    let failWrites = false;
    let planned = 0;
    let writes = 0;
    llm.script((request) => {
      if ((request.system ?? '').includes('planning step')) return planned++, { text: JSON.stringify(PLAN) };
      writes++;
      return failWrites ? { status: 503, error: 'overloaded' } : { text: 'written' };
    });
    const source = await node.runToEnd(name, { topic: 'rust' });
    assert.equal(source.status, 'succeeded', JSON.stringify(source.error));
    const saved = uniqueName('saved-onfail');
    const result = await node.rota.runs.saveAsAutomation(node.ws, source.id, { name: saved, inputs: [{ name: 'topic', required: true }] });
    assert.deepEqual(result.definition.execution?.on_failure?.map((s) => s.id), ['alert'], 'the source automation\'s settings are kept');
    failWrites = true;
    writes = 0;
    const run = await node.runToEnd(saved, { topic: 'go' }, 20_000);
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.step_id, 'research.write');
    assert.equal(writes, 3, 'the plan\'s retry: {max_retries: 2} applies to the frozen step');
    assert.deepEqual(stepOf(run, 'alert').output, { alerted: run.error!.code });
    assert.equal(planned, 1, 'no planning after a frozen step failed');
  });

  test('saving into an existing automation writes a new version and keeps its triggers', async () => {
    const node = await makeAgentNode(db, llm);
    const source = await plannedRun(node, llm, PLAN);
    const name = uniqueName('existing');
    await node.apply({ name, triggers: [{ id: 'nightly', type: 'schedule', cron: '0 2 * * *', inputs: { topic: 'news' } }], inputs: { type: 'object', properties: { topic: { type: 'string' } } }, steps: [{ id: 'old', action: 'set', with: { t: '{{ inputs.topic }}' } }] });
    const saved = await node.rota.runs.saveAsAutomation(node.ws, source.id, { name, inputs: [{ name: 'topic', required: true }] });
    assert.equal(saved.created, false);
    assert.equal(saved.changed, true);
    assert.equal(saved.automation!.version, 2);
    assert.deepEqual(saved.automation!.triggers.map((t) => t.id), ['nightly']);
    assert.deepEqual(saved.report.triggers, ['nightly']);
    const again = await node.rota.runs.saveAsAutomation(node.ws, source.id, { name, inputs: [{ name: 'topic', required: true }] });
    assert.equal(again.changed, false, 'the same freeze again writes nothing');
    // applied by hand afterwards, the automation still says which run it was saved from
    await node.apply({ ...saved.definition, description: 'edited' });
    const view = await node.rota.automations.get(node.ws, name);
    assert.equal(view.version, 3);
    assert.equal(view.saved_from_run, source.id);
    assert.equal((await node.rota.automations.version(node.ws, name, 3)).saved_from_run, null);
  });
});
