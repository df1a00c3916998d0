// Approvals through the engine (SPEC §5 approval), on SQLite and PostgreSQL.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConflictError, ErrorCode, RotaError } from '../../src/errors.js';
import type { Principal } from '../../src/node/views.js';
import { eventually, forEachDialect, makeNode, stepOf, uniqueName, type TestNode } from '../support/node.js';

async function principal(node: TestNode, name: string, scopes = ['approvals:write', 'runs:read']): Promise<Principal> {
  const { info } = await node.rota.tokens.create(node.ws, name, scopes);
  return { token_id: info.id, workspace_id: node.ws, scopes };
}

/** An automation `approval` step followed by a step that uses its output. */
async function approvalFlow(node: TestNode, withConfig: Record<string, unknown>, execution?: Record<string, unknown>): Promise<string> {
  const name = uniqueName('approve');
  await node.apply({
    name,
    inputs: { type: 'object', properties: { amount: { type: 'integer' } } },
    steps: [
      { id: 'confirm', action: 'approval', with: { message: 'Refund {{ inputs.amount }}?', details: { amount: '{{ inputs.amount }}' }, ...withConfig } },
      { id: 'after', action: 'set', with: { approved: '{{ steps.confirm.output }}' } },
    ],
    ...(execution ? { execution } : {}),
  });
  return name;
}

async function waitingApproval(node: TestNode, runId: string) {
  const run = await node.rota.runs.wait(node.ws, runId, 5_000, { untilWaiting: true });
  assert.equal(run.status, 'waiting', `run is ${run.status}`);
  assert.equal(run.waiting_for, 'approval');
  const page = await node.rota.approvals.list(node.ws, { state: 'pending', runId });
  assert.equal(page.items.length, 1);
  return page.items[0];
}

async function rejects(promise: Promise<unknown>, code: string): Promise<RotaError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof RotaError, String(err));
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

forEachDialect('approvals', (db) => {
  test('approve: the run waits, the decision wakes it, who/when/comment are kept', async () => {
    const node = await makeNode(db);
    const alice = await principal(node, 'alice');
    const name = await approvalFlow(node, {});
    const run = await node.start(name, { amount: 30 });
    const approval = await waitingApproval(node, run.id);
    assert.equal(approval.message, 'Refund 30?');
    assert.deepEqual(approval.details, { amount: 30 });
    assert.equal(approval.kind, 'step');
    assert.equal(approval.automation, name);
    const decided = await node.rota.approvals.decide(node.ws, approval.id, alice, { decision: 'approve', comment: 'ok by me' });
    assert.equal(decided.state, 'approved');
    assert.equal(decided.decided_by, 'alice');
    assert.equal(decided.comment, 'ok by me');
    assert.ok(decided.decided_at);
    assert.deepEqual(decided.decisions.map((d) => [d.by, d.by_name, d.decision, d.comment]), [[alice.token_id, 'alice', 'approve', 'ok by me']]);
    const done = await node.waitEnd(run.id);
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(stepOf(done, 'confirm').output, { approved: true, value: { amount: 30 }, decided_by: 'alice', comment: 'ok by me', timed_out: false });
    const types = (await node.events(run.id)).map((e) => e.type);
    assert.ok(types.includes('approval.requested') && types.includes('approval.resolved'), types.join(','));
  });

  test('approve with an edited value: the value becomes the output', async () => {
    const node = await makeNode(db);
    const alice = await principal(node, 'alice');
    const name = await approvalFlow(node, {});
    const run = await node.start(name, { amount: 30 });
    const approval = await waitingApproval(node, run.id);
    await node.rota.approvals.decide(node.ws, approval.id, alice, { decision: 'approve', value: { amount: 25, note: 'capped' } });
    const done = await node.waitEnd(run.id);
    assert.equal(done.status, 'succeeded');
    assert.deepEqual((stepOf(done, 'confirm').output as { value: unknown }).value, { amount: 25, note: 'capped' });
    assert.deepEqual((done.output as { approved: { value: unknown } }).approved.value, { amount: 25, note: 'capped' });
  });

  test('reject: the step fails approval_rejected', async () => {
    const node = await makeNode(db);
    const alice = await principal(node, 'alice');
    const name = await approvalFlow(node, {});
    const run = await node.start(name, { amount: 30 });
    const approval = await waitingApproval(node, run.id);
    await node.rota.approvals.decide(node.ws, approval.id, alice, { decision: 'reject', comment: 'too much' });
    const done = await node.waitEnd(run.id);
    assert.equal(done.status, 'failed');
    assert.equal(done.error?.code, ErrorCode.approval_rejected);
    assert.equal(stepOf(done, 'confirm').error?.code, ErrorCode.approval_rejected);
    assert.deepEqual((stepOf(done, 'confirm').error?.details as { comment: string }).comment, 'too much');
    assert.equal(stepOf(done, 'after').status, 'canceled');
  });

  test('abort: the run ends canceled', async () => {
    const node = await makeNode(db);
    const alice = await principal(node, 'alice');
    const name = await approvalFlow(node, {});
    const run = await node.start(name, { amount: 30 });
    const approval = await waitingApproval(node, run.id);
    const decided = await node.rota.approvals.decide(node.ws, approval.id, alice, { decision: 'abort' });
    assert.equal(decided.state, 'aborted');
    const done = await node.waitEnd(run.id);
    assert.equal(done.status, 'canceled');
    assert.equal(stepOf(done, 'confirm').status, 'canceled');
  });

  for (const [onTimeout, expected] of [
    ['reject', 'failed'],
    ['approve', 'succeeded'],
    ['abort', 'canceled'],
  ] as const) {
    test(`timeout with on_timeout: ${onTimeout} -> run ${expected}, approval expired`, async () => {
      const node = await makeNode(db);
      const alice = await principal(node, 'alice');
      const name = await approvalFlow(node, { timeout: '300ms', on_timeout: onTimeout });
      const run = await node.start(name, { amount: 1 });
      const approval = await waitingApproval(node, run.id);
      assert.ok(approval.expires_at);
      const done = await node.waitEnd(run.id);
      assert.equal(done.status, expected);
      if (onTimeout === 'reject') assert.equal(done.error?.code, ErrorCode.approval_rejected);
      if (onTimeout === 'approve') assert.deepEqual(stepOf(done, 'confirm').output, { approved: true, value: { amount: 1 }, decided_by: null, comment: null, timed_out: true });
      const after = await node.rota.approvals.get(node.ws, approval.id);
      assert.equal(after.state, 'expired');
      assert.equal(after.outcome, { reject: 'rejected', approve: 'approved', abort: 'aborted' }[onTimeout]);
      // a late decision changes nothing
      await rejects(node.rota.approvals.decide(node.ws, approval.id, alice, { decision: 'approve' }), ErrorCode.conflict);
    });
  }

  test('double decision: the same one again is idempotent, a conflicting one is a conflict', async () => {
    const node = await makeNode(db);
    const alice = await principal(node, 'alice');
    const bob = await principal(node, 'bob');
    const name = await approvalFlow(node, {});
    const run = await node.start(name, { amount: 30 });
    const approval = await waitingApproval(node, run.id);
    const first = await node.rota.approvals.decide(node.ws, approval.id, alice, { decision: 'approve', comment: 'yes' });
    const again = await node.rota.approvals.decide(node.ws, approval.id, alice, { decision: 'approve', comment: 'yes again' });
    assert.deepEqual({ ...again, run_status: null }, { ...first, run_status: null });
    const conflict = await rejects(node.rota.approvals.decide(node.ws, approval.id, alice, { decision: 'reject' }), ErrorCode.conflict);
    assert.ok(conflict instanceof ConflictError);
    await rejects(node.rota.approvals.decide(node.ws, approval.id, bob, { decision: 'reject' }), ErrorCode.conflict);
    const done = await node.waitEnd(run.id);
    assert.equal(done.status, 'succeeded');
    assert.equal((await node.rota.approvals.get(node.ws, approval.id)).decisions.length, 1);
  });

  test('min_approvals counts distinct tokens; approvers restricts who decides (id, name or scope)', async () => {
    const node = await makeNode(db);
    const alice = await principal(node, 'alice');
    const bob = await principal(node, 'bob');
    const mallory = await principal(node, 'mallory');
    const admin = await principal(node, 'ops', ['admin']);
    const name = await approvalFlow(node, { approvers: ['alice', bob.token_id, 'admin'], min_approvals: 3 });
    const run = await node.start(name, { amount: 30 });
    const approval = await waitingApproval(node, run.id);
    assert.deepEqual(approval.approvers, ['alice', bob.token_id, 'admin']);
    await rejects(node.rota.approvals.decide(node.ws, approval.id, mallory, { decision: 'approve' }), ErrorCode.forbidden);
    await rejects(node.rota.approvals.decide(node.ws, approval.id, mallory, { decision: 'reject' }), ErrorCode.forbidden);
    let view = await node.rota.approvals.decide(node.ws, approval.id, alice, { decision: 'approve' });
    view = await node.rota.approvals.decide(node.ws, approval.id, alice, { decision: 'approve' });
    assert.equal(view.state, 'pending');
    assert.equal(view.approvals, 1);
    view = await node.rota.approvals.decide(node.ws, approval.id, bob, { decision: 'approve', value: { amount: 20 } });
    assert.equal(view.state, 'pending');
    assert.equal(view.approvals, 2);
    assert.equal((await node.get(run.id)).status, 'waiting');
    view = await node.rota.approvals.decide(node.ws, approval.id, admin, { decision: 'approve' });
    assert.equal(view.state, 'approved');
    const done = await node.waitEnd(run.id);
    assert.equal(done.status, 'succeeded');
    const output = stepOf(done, 'confirm').output as { value: unknown; decided_by: string };
    assert.deepEqual(output.value, { amount: 20 });
    assert.equal(output.decided_by, 'ops');
  });

  test('a waiting run holds no worker slot, and survives a restart of the node', async () => {
    const first = await makeNode(db, { config: { worker: { concurrency: 1 } } });
    const name = await approvalFlow(first, {});
    const waiting = await first.start(name, { amount: 5 });
    const approval = await waitingApproval(first, waiting.id);
    const plain = uniqueName('plain');
    await first.apply({ name: plain, steps: [{ id: 'a', action: 'set', with: { x: 1 } }] });
    const other = await first.runToEnd(plain);
    assert.equal(other.status, 'succeeded', 'another run completed while one waits, with one slot');
    await first.stop();
    const second = await makeNode(db, { config: { worker: { concurrency: 1 } } });
    const alice = await principal(second, 'alice');
    await second.rota.approvals.decide(second.ws, approval.id, alice, { decision: 'approve' });
    const done = await second.waitEnd(waiting.id);
    assert.equal(done.status, 'succeeded');
  });

  test('listing: keyset pages, workspace isolation, an ended run settles its approval', async () => {
    const node = await makeNode(db);
    const name = await approvalFlow(node, {});
    const runs: { id: string }[] = [];
    for (let i = 0; i < 3; i++) runs.push(await node.start(name, { amount: i }));
    for (const r of runs) await waitingApproval(node, r.id);
    const page1 = await node.rota.approvals.list(node.ws, { state: 'pending', limit: 2 });
    assert.equal(page1.items.length, 2);
    assert.ok(page1.next_cursor);
    const page2 = await node.rota.approvals.list(node.ws, { state: 'pending', limit: 2, cursor: page1.next_cursor });
    const ids = [...page1.items, ...page2.items].map((a) => a.id);
    assert.ok(new Set(ids).size === ids.length && ids.length >= 3);
    const other = await node.rota.workspaces.ensure(uniqueName('ws'));
    assert.equal((await node.rota.approvals.list(other.id, {})).items.length, 0);
    await rejects(node.rota.approvals.get(other.id, ids[0]), ErrorCode.not_found);
    await node.rota.runs.cancel(node.ws, runs[0].id);
    const settled = await eventually(async () => {
      const list = await node.rota.approvals.list(node.ws, { runId: runs[0].id });
      return list.items[0]?.state === 'expired' ? list.items[0] : undefined;
    });
    assert.equal(settled.outcome, null);
    for (const r of runs.slice(1)) await node.rota.runs.cancel(node.ws, r.id);
  });
});
