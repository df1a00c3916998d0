/**
 * What the MCP tests do through either transport: every tool once, and the authoring loop of an
 * agent (scripted here: each decision is read from the previous tool result, never hard-coded).
 */
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { call, ok } from './harness.js';

/**
 * The scripted agent: authors a definition with two mistakes, reads validate_automation's errors,
 * fixes each at its path (an unknown action is replaced by one of list_actions), applies, runs,
 * approves the pending approval with an edited value and reads the report.
 */
export async function agentLoop(client: Client, name: string): Promise<{ runId: string; report: string }> {
  const { actions } = await ok(client, 'list_actions');
  const known = new Set<string>(actions.map((a: { type: string }) => a.type));
  assert.ok(known.has('approval') && known.has('set'));

  const draft: any = {
    name,
    description: 'drafted by the scripted agent',
    steps: [
      { id: 'prepare', action: 'sett', with: { amount: '{{ inputs.amount }}' } },
      { id: 'confirm', action: 'approval', with: { message: 'Refund {{ steps.prepare.output.amount }}?', details: { amount: '{{ steps.prepare.output.amount }}' } }, needs: ['prepare'] },
      { id: 'done', action: 'set', with: { approved: '{{ steps.confirm.output }}' }, needs: ['confirm'], colour: 'red' },
    ],
  };
  // the loop an agent runs: validate, fix each reported problem at its path, validate again
  const seen: string[] = [];
  let verdict = await ok(client, 'validate_automation', { definition: draft });
  for (let round = 0; !verdict.valid; round++) {
    assert.ok(round < 5, `still invalid after 5 rounds: ${JSON.stringify(verdict.errors)}`);
    assert.ok(verdict.errors.length > 0);
    for (const e of verdict.errors as { path: string; message: string; hint: string }[]) {
      assert.ok(e.hint.length > 0, `no hint for ${e.path}`);
      seen.push(e.path);
      fix(draft, e, known);
    }
    verdict = await ok(client, 'validate_automation', { definition: draft });
  }
  assert.deepEqual(verdict, { valid: true, errors: [] });
  // the draft's three mistakes were each reported at their path
  assert.ok(seen.includes('$.steps[0].action'), seen.join(', '));
  assert.ok(seen.some((p) => p.startsWith('$.steps[2]')), seen.join(', '));
  assert.ok(seen.includes('$.steps[0].with.amount'), seen.join(', '));

  const applied = await ok(client, 'apply_automation', { definition: draft });
  assert.equal(applied.created, true);

  const started = await ok(client, 'start_run', { automation: name, inputs: { amount: 42 }, wait_seconds: 30 });
  assert.equal(started.status, 'waiting', JSON.stringify(started));
  assert.equal(started.waiting_for, 'approval');
  assert.match(started.next, /list_approvals/);

  const { approvals } = await ok(client, 'list_approvals', { run_id: started.run_id });
  assert.equal(approvals.length, 1);
  assert.deepEqual(approvals[0].details, { amount: 42 });
  const decided = await ok(client, 'decide_approval', { approval_id: approvals[0].approval_id, decision: 'approve', value: { amount: 40 }, comment: 'capped at 40' });
  assert.equal(decided.approval.state, 'approved');

  const ended = await ok(client, 'wait_for_run', { run_id: started.run_id, wait_seconds: 30 });
  assert.equal(ended.status, 'succeeded', JSON.stringify(ended));
  assert.equal(ended.finished, true);
  const { markdown } = await ok(client, 'get_run_report', { run_id: started.run_id });
  assert.match(markdown, new RegExp(started.run_id));
  assert.match(markdown, /succeeded/);
  return { runId: started.run_id, report: markdown };
}

/** The scripted model's repair of one problem, decided from its path and message only. */
function fix(draft: any, e: { path: string; message: string }, known: Set<string>): void {
  const action = /^\$\.steps\[(\d+)\]\.action$/.exec(e.path);
  const extra = /^\$\.steps\[(\d+)\](?:\.(\w+))?$/.exec(e.path);
  const input = /input "(\w+)" is not declared/.exec(e.message);
  if (action) {
    const step = draft.steps[Number(action[1])];
    step.action = [...known].find((k) => k !== step.action && k.startsWith(step.action.slice(0, 3))) ?? 'set';
  } else if (input) {
    draft.inputs ??= { type: 'object', properties: {} };
    draft.inputs.properties[input[1]] = { type: 'number' };
  } else if (extra) {
    const step = draft.steps[Number(extra[1])];
    const unknown = extra[2] ?? /"(\w+)"/.exec(e.message)?.[1];
    assert.ok(unknown && unknown in step, `the scripted agent cannot fix ${e.path}: ${e.message}`);
    delete step[unknown];
  } else assert.fail(`the scripted agent cannot fix ${e.path}: ${e.message}`);
}

/** Every tool once, on an admin token. */
export async function everyTool(client: Client, prefix: string): Promise<void> {
  const name = `${prefix}-tools`;
  const definition = {
    name,
    inputs: { type: 'object', properties: { n: { type: 'number' } } },
    triggers: [{ id: 'nightly', type: 'schedule', cron: '0 3 * * *', timezone: 'UTC' }, { id: 'on-ping', type: 'event', name: `${prefix}.ping` }],
    steps: [{ id: 'out', action: 'set', with: { n: '{{ inputs.n }}', big: 'x' } }],
  };
  const first = await ok(client, 'apply_automation', { definition });
  assert.equal(first.created, true);
  const again = await ok(client, 'apply_automation', { definition: `name: ${name}\n${yamlBody(definition)}` });
  assert.equal(again.created, false);

  const { automations } = await ok(client, 'list_automations');
  assert.ok(automations.some((a: { name: string }) => a.name === name));

  const got = await ok(client, 'get_automation', { name });
  assert.match(got.yaml, new RegExp(`name: ${name}`));
  assert.equal(got.definition.name, name);
  assert.deepEqual(got.triggers.map((t: { id: string }) => t.id).sort(), ['nightly', 'on-ping']);
  assert.equal(got.next_fires[0].trigger_id, 'nightly');
  assert.equal(got.next_fires[0].next.length, 5);
  assert.match(got.next_fires[0].next[0], /T03:00:00/);

  const preview = await ok(client, 'preview_schedule', { name, count: 3, from: '2030-01-01T00:00:00Z' });
  assert.deepEqual(preview.triggers[0].next, ['2030-01-01T03:00:00.000Z', '2030-01-02T03:00:00.000Z', '2030-01-03T03:00:00.000Z']);

  const paused = await ok(client, 'pause_automation', { name });
  assert.equal(paused.status, 'paused');
  const refused = await call(client, 'start_run', { automation: name });
  assert.equal(refused.isError, true);
  assert.equal(refused.structured.error.code, 'conflict', refused.text);
  assert.ok(refused.structured.error.hint);
  assert.equal((await ok(client, 'resume_automation', { name })).status, 'active');

  const run = await ok(client, 'start_run', { automation: name, inputs: { n: 7 }, idempotency_key: `${prefix}-k1` });
  assert.equal(run.status, 'succeeded');
  assert.equal(run.created, true);
  assert.deepEqual(run.output, { n: 7, big: 'x' });
  const same = await ok(client, 'start_run', { automation: name, inputs: { n: 7 }, idempotency_key: `${prefix}-k1`, wait_seconds: 0 });
  assert.equal(same.run_id, run.run_id);
  assert.equal(same.created, false);

  const full = await ok(client, 'get_run', { run_id: run.run_id });
  assert.deepEqual(full.steps.map((s: { id: string; status: string }) => [s.id, s.status]), [['out', 'succeeded']]);
  assert.deepEqual(full.output, { n: 7, big: 'x' });
  const small = await ok(client, 'get_run', { run_id: run.run_id, max_bytes: 256, output_path: 'n' });
  assert.equal(small.output, 7);

  const bigName = `${prefix}-big`;
  await ok(client, 'apply_automation', { definition: { name: bigName, steps: [{ id: 'blob', action: 'set', with: { text: 'y'.repeat(2000) } }] } });
  const bigRun = await ok(client, 'start_run', { automation: bigName, max_bytes: 256 });
  assert.equal(bigRun.output.truncated, true);
  assert.ok(bigRun.output.bytes > 2000);
  assert.match(bigRun.output.note, /max_bytes|output_path/);
  const whole = await ok(client, 'get_run', { run_id: bigRun.run_id, max_bytes: 4096 });
  assert.equal(whole.output.text.length, 2000);
  const missing = await call(client, 'get_run', { run_id: bigRun.run_id, output_path: 'nope[3]' });
  assert.equal(missing.isError, true);
  assert.equal(missing.structured.error.code, 'invalid_request');

  const waited = await ok(client, 'wait_for_run', { run_id: run.run_id, wait_seconds: 1 });
  assert.equal(waited.finished, true);

  const { runs } = await ok(client, 'list_runs', { automation: name, status: ['succeeded'] });
  assert.deepEqual(runs.map((r: { run_id: string }) => r.run_id), [run.run_id]);
  assert.match((await ok(client, 'get_run_report', { run_id: run.run_id })).markdown, /out/);

  const replayed = await ok(client, 'replay_run', { run_id: run.run_id, inputs: { n: 8 } });
  assert.notEqual(replayed.run_id, run.run_id);
  const replayEnd = await ok(client, 'wait_for_run', { run_id: replayed.run_id, wait_seconds: 30 });
  assert.deepEqual(replayEnd.output, { n: 8, big: 'x' });

  const retry = await call(client, 'retry_run', { run_id: run.run_id });
  assert.equal(retry.isError, true, 'a succeeded run cannot be retried');
  assert.equal(retry.structured.error.code, 'conflict', retry.text);

  const holdName = `${prefix}-hold`;
  await ok(client, 'apply_automation', { definition: { name: holdName, steps: [{ id: 'ask', action: 'approval', with: { message: 'go?' } }] } });
  const held = await ok(client, 'start_run', { automation: holdName, wait_seconds: 30 });
  assert.equal(held.status, 'waiting');
  const canceled = await ok(client, 'cancel_run', { run_id: held.run_id });
  assert.ok(['canceled', 'waiting', 'running'].includes(canceled.status), canceled.status);
  const canceledEnd = await ok(client, 'wait_for_run', { run_id: held.run_id, wait_seconds: 30 });
  assert.equal(canceledEnd.status, 'canceled');
  const retried = await ok(client, 'retry_run', { run_id: held.run_id });
  assert.notEqual(retried.run_id, held.run_id);
  const { approvals } = await ok(client, 'list_approvals', { run_id: retried.run_id });
  const rejectTarget = approvals[0] ?? (await waitApproval(client, retried.run_id));
  const rejected = await ok(client, 'decide_approval', { approval_id: rejectTarget.approval_id, decision: 'reject', comment: 'no' });
  assert.equal(rejected.approval.state, 'rejected');

  const event = await ok(client, 'publish_event', { name: `${prefix}.ping`, data: { n: 3 }, id: `${prefix}-e1` });
  assert.equal(event.duplicate, false);
  assert.equal(event.runs.length, 1);
  assert.equal(event.runs[0].automation, name);
  assert.equal((await ok(client, 'publish_event', { name: `${prefix}.ping`, id: `${prefix}-e1` })).duplicate, true);

  const costs = await ok(client, 'get_costs', { automation: name, days: 7 });
  assert.equal(costs.automations[0].automation, name);
  assert.equal(costs.total_cost_usd, 0);
  assert.equal(costs.automations[0].days.length >= 0, true);
  const allCosts = await ok(client, 'get_costs', {});
  assert.ok(allCosts.automations.length >= 3);

  const setAction = await ok(client, 'list_actions', { type: 'set' });
  assert.equal(setAction.actions[0].type, 'set');
  assert.equal(typeof setAction.actions[0].config_schema, 'object');

  const notFound = await call(client, 'get_automation', { name: 'no-such-automation' });
  assert.equal(notFound.isError, true);
  assert.equal(notFound.structured.error.code, 'not_found');
  assert.match(notFound.text, /not_found/);
  const invalid = await call(client, 'apply_automation', { definition: { name: `${prefix}-bad`, steps: [{ id: 'a', action: 'nope' }] } });
  assert.equal(invalid.isError, true);
  assert.equal(invalid.structured.error.code, 'definition_invalid');
  assert.equal(invalid.structured.error.details[0].path, '$.steps[0].action');
  assert.ok(invalid.structured.error.details[0].hint);
}

async function waitApproval(client: Client, runId: string): Promise<{ approval_id: string }> {
  await ok(client, 'wait_for_run', { run_id: runId, wait_seconds: 30 });
  const { approvals } = await ok(client, 'list_approvals', { run_id: runId });
  assert.equal(approvals.length, 1);
  return approvals[0];
}

/** A tiny YAML writer for the flat test definition (so apply is also tried with YAML text). */
function yamlBody(definition: Record<string, unknown>): string {
  const { name: _name, ...rest } = definition;
  return Object.entries(rest).map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join('\n');
}
