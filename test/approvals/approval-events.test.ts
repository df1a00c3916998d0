// approval.requested and approval.decided are workspace events: an event trigger can notify people.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Principal } from '../../src/node/views.js';
import { eventually, forEachDialect, makeNode, uniqueName, type TestNode } from '../support/node.js';

async function notifier(node: TestNode, event: string, field: 'message' | 'state'): Promise<string> {
  const name = uniqueName('notify');
  await node.apply({
    name,
    inputs: { type: 'object', properties: { approval: { type: 'string' }, [field]: { type: 'string' } } },
    triggers: [{ id: 'on', type: 'event', name: event, inputs: { approval: '{{ data.approval_id }}', [field]: `{{ data.${field} }}` } }],
    steps: [{ id: 'tell', action: 'set', with: { text: 'approval {{ inputs.approval }}' } }],
  });
  return name;
}

forEachDialect('approvals: workspace events', (db) => {
  test('an event trigger on approval.requested fires with the approval; approval.decided follows the decision', async () => {
    const node = await makeNode(db);
    const onRequest = await notifier(node, 'approval.requested', 'message');
    const onDecision = await notifier(node, 'approval.decided', 'state');
    const name = uniqueName('needs-ok');
    await node.apply({ name, steps: [{ id: 'ok', action: 'approval', with: { message: 'Ship it?' } }] });
    const run = await node.start(name);
    const approval = await eventually(async () => (await node.rota.approvals.list(node.ws, { runId: run.id, state: 'pending' })).items[0]);
    const requested = await eventually(async () => (await node.rota.runs.list(node.ws, { automation: onRequest })).items[0]);
    assert.equal(requested.trigger_kind, 'event', JSON.stringify(requested));
    assert.deepEqual(requested.inputs, { approval: approval.id, message: 'Ship it?' });
    const event = requested.activation as { data: Record<string, unknown> };
    assert.equal(event.data.run_id, run.id);
    assert.equal(event.data.automation, name);
    assert.equal(event.data.step_id, 'ok');
    assert.equal((await node.rota.runs.list(node.ws, { automation: onDecision })).items.length, 0, 'nothing decided yet');

    const { info } = await node.rota.tokens.create(node.ws, 'bob', ['approvals:write']);
    const bob: Principal = { token_id: info.id, workspace_id: node.ws, scopes: ['approvals:write'] };
    await node.rota.approvals.decide(node.ws, approval.id, bob, { decision: 'approve', comment: 'go' });
    const decided = await eventually(async () => (await node.rota.runs.list(node.ws, { automation: onDecision })).items[0]);
    assert.deepEqual(decided.inputs, { approval: approval.id, state: 'approved' });
    const data = (decided.activation as { data: Record<string, unknown> }).data;
    assert.equal(data.by, 'bob');
    assert.equal(data.comment, 'go');
    assert.equal(data.outcome, 'approved');
    assert.equal((await node.waitEnd(run.id)).status, 'succeeded');
    assert.equal((await node.rota.runs.list(node.ws, { automation: onRequest })).items.length, 1, 'one approval, one notification');
  });

  test('an approval that times out publishes approval.decided with state expired and its on_timeout outcome', async () => {
    const node = await makeNode(db);
    const onDecision = await notifier(node, 'approval.decided', 'state');
    const name = uniqueName('times-out');
    await node.apply({ name, steps: [{ id: 'ok', action: 'approval', with: { message: 'Ship it?', timeout: '1s', on_timeout: 'approve' } }] });
    const run = await node.start(name);
    assert.equal((await node.waitEnd(run.id)).status, 'succeeded');
    const decided = await eventually(async () => (await node.rota.runs.list(node.ws, { automation: onDecision })).items[0]);
    assert.equal((decided.inputs as { state: string }).state, 'expired');
    const data = (decided.activation as { data: Record<string, unknown> }).data;
    assert.equal(data.outcome, 'approved');
    assert.equal(data.by, null);
    assert.equal(data.run_id, run.id);
  });
});
