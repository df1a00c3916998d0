/** Tool approvals (approve with edited arguments, reject, abort) and budgets of agent steps. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Principal } from '../../src/node/views.js';
import { RateLimitedError } from '../../src/errors.js';
import type { ToolDefinition } from '../../src/agent/tool.js';
import { forEachDialect, stepOf, uniqueName, type TestNode } from '../support/node.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';
import { makeAgentNode, PRICE } from './harness.js';

const refunds: unknown[] = [];
const refund: ToolDefinition<{ order: string; amount: number }> = {
  name: 'refund',
  description: 'Refunds an order',
  inputSchema: { type: 'object', properties: { order: { type: 'string' }, amount: { type: 'number' } }, required: ['order', 'amount'] },
  handler: async (input) => {
    refunds.push(input);
    return { refunded: input.amount };
  },
};

async function principal(node: TestNode): Promise<Principal> {
  const scopes = ['approvals:write', 'runs:read'];
  const { info } = await node.rota.tokens.create(node.ws, `approver-${Math.random().toString(36).slice(2, 8)}`, scopes);
  return { token_id: info.id, workspace_id: node.ws, scopes };
}

async function pendingToolApproval(node: TestNode, runId: string) {
  const run = await node.rota.runs.wait(node.ws, runId, 5_000, { untilWaiting: true });
  assert.equal(run.status, 'waiting', `run is ${run.status}: ${JSON.stringify(run.error)}`);
  assert.equal(run.waiting_for, 'approval');
  const page = await node.rota.approvals.list(node.ws, { state: 'pending', runId });
  assert.equal(page.items.length, 1);
  return page.items[0]!;
}

forEachDialect('agent: tool approvals and budgets', (db) => {
  let llm: StandIn;
  before(async () => (llm = await startStandIn()));
  after(() => llm.close());

  async function refundFlow(node: TestNode): Promise<string> {
    const name = uniqueName('refund');
    await node.apply({ name, steps: [{ id: 'agent', action: 'agent', with: { prompt: 'Refund order A1', tools: ['refund'], require_approval_for: ['refund'] } }] });
    return name;
  }

  test('approve with edited arguments: the tool runs with the edits, before approval it never ran', async () => {
    const node = await makeAgentNode(db, llm, { tools: [refund] });
    const alice = await principal(node);
    const name = await refundFlow(node);
    llm.script([{ toolCalls: [{ name: 'refund', arguments: { order: 'A1', amount: 500 } }] }, { text: 'Refunded.' }]);
    const start = llm.calls.length;
    const before = refunds.length;
    const run = await node.start(name);
    const approval = await pendingToolApproval(node, run.id);
    assert.equal(approval.kind, 'tool_call');
    assert.deepEqual((approval.details as { tool: string; arguments: unknown }).tool, 'refund');
    assert.deepEqual((approval.details as { arguments: unknown }).arguments, { order: 'A1', amount: 500 });
    assert.equal(refunds.length, before, 'the tool must not run before the approval');
    await node.rota.approvals.decide(node.ws, approval.id, alice, { decision: 'approve', value: { order: 'A1', amount: 50 } });
    const done = await node.waitEnd(run.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual(done.output, { text: 'Refunded.', turns: 2 });
    assert.deepEqual(refunds.slice(before), [{ order: 'A1', amount: 50 }]);
    // the model made exactly two calls: the wake replayed the first one from the memo
    assert.equal(llm.calls.length - start, 2);
    assert.ok(JSON.stringify(llm.calls.at(-1)!.messages).includes('refunded\\":50'));
  });

  test('reject: the model is told and continues; the tool never runs', async () => {
    const node = await makeAgentNode(db, llm, { tools: [refund] });
    const alice = await principal(node);
    const name = await refundFlow(node);
    llm.script([{ toolCalls: [{ name: 'refund', arguments: { order: 'A1', amount: 500 } }] }, { text: 'Understood, no refund.' }]);
    const before = refunds.length;
    const run = await node.start(name);
    const approval = await pendingToolApproval(node, run.id);
    await node.rota.approvals.decide(node.ws, approval.id, alice, { decision: 'reject', comment: 'too much' });
    const done = await node.waitEnd(run.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.equal(refunds.length, before);
    const told = JSON.stringify(llm.calls.at(-1)!.messages);
    assert.match(told, /rejected/);
    assert.match(told, /too much/);
  });

  test('abort: the run ends canceled and the tool never runs', async () => {
    const node = await makeAgentNode(db, llm, { tools: [refund] });
    const alice = await principal(node);
    const name = await refundFlow(node);
    llm.script([{ toolCalls: [{ name: 'refund', arguments: { order: 'A1', amount: 500 } }] }, { text: 'never' }]);
    const before = refunds.length;
    const run = await node.start(name);
    const approval = await pendingToolApproval(node, run.id);
    await node.rota.approvals.decide(node.ws, approval.id, alice, { decision: 'abort' });
    const done = await node.waitEnd(run.id);
    assert.equal(done.status, 'canceled');
    assert.equal(refunds.length, before);
  });

  test('run budget: the call that could cross it is never made; the step fails budget_exceeded', async () => {
    const node = await makeAgentNode(db, llm, { tools: [refund] });
    const name = uniqueName('budget');
    // worst case of a call: ~estimated input + max_tokens 1000; the first fits in 1500 tokens, the second cannot
    await node.apply({
      name,
      steps: [{ id: 'agent', action: 'agent', with: { prompt: 'Refund order A1', tools: ['refund'], max_tokens: 1000 } }],
      execution: { budget: { max_tokens: 1500 } },
    });
    llm.script([{ toolCalls: [{ name: 'refund', arguments: { order: 'A1', amount: 5 } }], usage: { input: 300, output: 200 } }, { text: 'done' }]);
    const start = llm.calls.length;
    const run = await node.runToEnd(name);
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.code, 'budget_exceeded');
    assert.equal(llm.calls.length - start, 1, 'the second call must never reach the provider');
    assert.equal(run.tokens, 500);
    assert.equal((run.error?.details as { scope: string }).scope, 'run');
    const events = await node.events(run.id);
    assert.ok(events.some((e) => e.type === 'budget.exceeded'));
  });

  test('on_exceed: approval waits for a decision that raises the budget, then continues', async () => {
    const node = await makeAgentNode(db, llm, { tools: [refund] });
    const alice = await principal(node);
    const name = uniqueName('budget-approval');
    await node.apply({
      name,
      steps: [{ id: 'agent', action: 'agent', with: { prompt: 'Refund order A1', tools: ['refund'], max_tokens: 1000 } }],
      execution: { budget: { max_tokens: 1500, on_exceed: 'approval' } },
    });
    llm.script([{ toolCalls: [{ name: 'refund', arguments: { order: 'A1', amount: 5 } }], usage: { input: 300, output: 200 } }, { text: 'done' }]);
    const start = llm.calls.length;
    const run = await node.start(name);
    const approval = await pendingToolApproval(node, run.id);
    assert.equal(approval.kind, 'budget');
    assert.equal(llm.calls.length - start, 1);
    await node.rota.approvals.decide(node.ws, approval.id, alice, { decision: 'approve', value: { max_tokens: 100_000 } });
    const done = await node.waitEnd(run.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.equal(llm.calls.length - start, 2);
  });

  test('daily automation budget from configuration counts earlier runs; totals on run and automation', async () => {
    const node = await makeAgentNode(db, llm, { config: { budgets: { automationPerDay: { maxCostUsd: 0.01 }, workspacePerDay: null } } });
    const name = uniqueName('daily');
    await node.apply({ name, steps: [{ id: 'agent', action: 'agent', with: { prompt: 'Hi', max_tokens: 100 } }] });
    llm.script(() => ({ text: 'hello', usage: { input: 2000, output: 100 } }));
    const costOne = (2000 * PRICE.input + 100 * PRICE.output) / 1e6; // 0.0022
    const results = [];
    let startRefused: unknown = null;
    for (let i = 0; i < 7 && !startRefused; i++) {
      try {
        results.push(await node.runToEnd(name));
      } catch (err) {
        startRefused = err;
      }
    }
    const ok = results.filter((r) => r.status === 'succeeded');
    assert.ok(ok.length >= 3, results.map((r) => r.status).join());
    for (const r of ok) assert.ok(Math.abs(r.cost_usd - costOne) < 1e-9);
    // Calls whose worst case fit went on until the day was spent; a run refused by the gate (if
    // any) spent nothing; then starts are refused (429) until midnight UTC.
    for (const r of results.filter((x) => x.status === 'failed')) {
      assert.equal(r.error?.code, 'budget_exceeded');
      assert.equal((r.error?.details as { scope: string }).scope, 'automation_day');
      assert.equal(stepOf(r, 'agent').cost_usd, 0);
    }
    assert.ok(startRefused instanceof RateLimitedError, String(startRefused));
    assert.match(startRefused.message, /daily budget spent/);
  });
  test('a daily budget in the definition: the agent gate enforces it, then fires are skipped (budget) and manual starts refused', async () => {
    const node = await makeAgentNode(db, llm);
    const name = uniqueName('perday');
    await node.apply({
      name,
      execution: { budget: { per_day: { max_tokens: 4250 } } },
      triggers: [{ id: 'go', type: 'event', name: `${name}.go` }],
      steps: [{ id: 'agent', action: 'agent', with: { prompt: 'Hi', max_tokens: 100 } }],
    });
    llm.script(() => ({ text: 'hello', usage: { input: 2000, output: 100 } }));
    assert.equal((await node.runToEnd(name)).status, 'succeeded');
    assert.equal((await node.runToEnd(name)).status, 'succeeded');
    // 4200 of 4250 tokens spent: the day is not spent, but a third call's worst case crosses it
    const gated = await node.runToEnd(name);
    assert.equal(gated.status, 'failed');
    assert.equal(gated.error?.code, 'budget_exceeded');
    assert.equal((gated.error?.details as { scope: string }).scope, 'automation_day');
    // a lower limit: the day is spent; starts are refused and fires recorded as skipped
    const definition = (await node.rota.automations.get(node.ws, name)).definition;
    await node.apply({ ...definition, execution: { budget: { per_day: { max_tokens: 4200 } } } });
    await assert.rejects(node.start(name), (err: unknown) => err instanceof RateLimitedError && /daily budget spent: 4200 tokens/.test(err.message));
    await node.rota.events.emit(node.ws, { name: `${name}.go` });
    const page = await node.rota.runs.list(node.ws, { automation: name, status: ['skipped'] });
    assert.equal(page.total, 1);
    const skipped = page.items[0]!;
    assert.equal(skipped.skip_reason, 'budget');
    assert.equal(skipped.error?.code, 'skipped_budget');
  });
});
