// Child runs (`run_automation`) go through admission: depth limit, paused automations, and a
// parent's cancel reaching the children it waits for; retry and replay refuse paused automations.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, forEachDialect, makeNode, stepOf, uniqueName, type TestNode } from '../support/node.js';
import { internalsOf } from '../../src/testing/index.js';
import { ErrorCode, RotaError } from '../../src/errors.js';

async function runsOf(node: TestNode, name: string) {
  const rows = await internalsOf(node.rota).store.db.selectFrom('runs').select(['id', 'status', 'depth', 'error', 'parent_run_id', 'cancel_requested', 'claim_at']).where('automation_name', '=', name).execute();
  return rows.map((r) => ({ ...r, error: r.error ? (JSON.parse(r.error) as { code: string; message: string }) : null }));
}

function selfStarting(name: string, delayMs = 0) {
  const before = delayMs > 0 ? [{ id: 'slow', action: 'probe', with: { delay_ms: delayMs } }] : [];
  return { name, steps: [...before, { id: 'again', action: 'run_automation', with: { automation: name } }] };
}

forEachDialect('child admission', (db) => {
  test('a self-starting automation stops at the depth limit with depth_exceeded', async () => {
    const node = await makeNode(db, { config: { limits: { maxDepth: 4, workspaceConcurrency: null } } });
    const name = uniqueName('self');
    await node.apply(selfStarting(name));
    const root = await node.runToEnd(name, {}, 15_000);
    assert.equal(root.status, 'failed');
    assert.equal(root.error?.code, ErrorCode.child_run_failed);
    const runs = await runsOf(node, name);
    assert.deepEqual(runs.map((r) => r.depth).sort(), [0, 1, 2, 3, 4]);
    const deepest = runs.find((r) => r.depth === 4)!;
    assert.equal(deepest.status, 'failed');
    assert.equal(deepest.error?.code, ErrorCode.depth_exceeded);
    assert.match(deepest.error!.message, /limit of 4/);
  });

  test('the depth counts run.* event links and child runs alike', async () => {
    const node = await makeNode(db, { config: { limits: { maxDepth: 1, workspaceConcurrency: null } } });
    const [src, listener, leaf] = [uniqueName('src'), uniqueName('listener'), uniqueName('leaf')];
    await node.apply({ name: leaf, steps: [{ id: 'a', action: 'probe' }] });
    await node.apply({
      name: listener,
      triggers: [{ id: 'after', type: 'event', name: 'run.succeeded', filter: { 'data.automation': src } }],
      steps: [{ id: 'child', action: 'run_automation', with: { automation: leaf } }],
    });
    await node.apply({ name: src, steps: [{ id: 'a', action: 'probe' }] });
    assert.equal((await node.runToEnd(src)).status, 'succeeded');
    const [heard] = await eventually(async () => {
      const rows = await runsOf(node, listener);
      return rows.length === 1 && rows[0]!.status === 'failed' ? rows : undefined;
    }, 10_000, 'the listener run failed');
    assert.equal(heard!.depth, 1);
    assert.equal(heard!.error?.code, ErrorCode.depth_exceeded);
    const run = await node.get(heard!.id);
    assert.equal(stepOf(run, 'child').error?.code, ErrorCode.depth_exceeded);
    assert.equal((await runsOf(node, leaf)).length, 0);
  });

  test('pausing an automation mid-burst starts no further run', async () => {
    const node = await makeNode(db, { config: { limits: { maxDepth: 1000, workspaceConcurrency: null } } });
    const name = uniqueName('burst');
    await node.apply(selfStarting(name, 40));
    const root = await node.start(name);
    await eventually(async () => ((await runsOf(node, name)).length >= 3 ? true : undefined), 10_000, 'three runs');
    await node.rota.automations.setStatus(node.ws, name, 'paused');
    const atPause = (await runsOf(node, name)).length;
    // The newest run was either executing (its child is refused: the chain fails up to the root)
    // or still queued (held while paused: the chain waits for the resume, or a cancel).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const paused = await runsOf(node, name);
    // at most the child whose creation was under way when the pause committed
    assert.ok(paused.length <= atPause + 1, `${paused.length} runs after a pause at ${atPause}`);
    const queued = paused.filter((r) => r.status === 'queued');
    assert.ok(queued.length <= 1, `queued runs: ${JSON.stringify(paused.map((r) => r.status))}`);
    assert.ok(paused.every((r) => r.status !== 'running'), `nothing runs while paused: ${JSON.stringify(paused.map((r) => r.status))}`);
    if (queued.length === 0) {
      assert.equal((await node.waitEnd(root.id, 15_000)).status, 'failed');
      const runs = await runsOf(node, name);
      const refused = runs.filter((r) => r.error?.code === ErrorCode.automation_paused);
      assert.equal(refused.length, 1, JSON.stringify(runs.map((r) => r.error?.code)));
      assert.match(refused[0]!.error!.message, /is paused: resume it first \(rota resume/);
    } else {
      // canceling the root cancels every child it waits for, the held one included
      await node.rota.runs.cancel(node.ws, root.id);
    }
    const ended = await eventually(async () => {
      const runs = await runsOf(node, name);
      return runs.every((r) => r.status === 'failed' || r.status === 'canceled') ? runs : undefined;
    }, 15_000, 'every run of the burst ended');
    assert.equal(ended.length, paused.length, 'no run was created after the pause settled');
  });

  test('retry and replay of a paused automation\'s run are refused with automation_paused', async () => {
    const node = await makeNode(db);
    const name = uniqueName('paused');
    await node.apply({ name, steps: [{ id: 'a', action: 'probe', with: { fail_times: 1, fail_kind: 'non_retriable' } }] });
    const failed = await node.runToEnd(name);
    assert.equal(failed.status, 'failed');
    await node.rota.automations.setStatus(node.ws, name, 'paused');
    for (const attempt of [() => node.rota.runs.retry(node.ws, failed.id), () => node.rota.runs.replay(node.ws, failed.id)]) {
      await assert.rejects(attempt(), (err: unknown) => err instanceof RotaError && err.code === ErrorCode.automation_paused && /resume it first/.test(err.message));
    }
    assert.equal((await runsOf(node, name)).length, 1);
    await node.rota.automations.setStatus(node.ws, name, 'active');
    const retried = await node.rota.runs.retry(node.ws, failed.id);
    assert.equal((await node.waitEnd(retried.id)).retry_of, failed.id);
    assert.equal((await runsOf(node, name)).length, 2);
  });

  test('canceling a parent cancels the child it waits for, not one started with wait: false', async () => {
    const node = await makeNode(db);
    const kid = uniqueName('kid');
    const parent = uniqueName('parent');
    await node.apply({ name: kid, steps: [{ id: 'z', action: 'sleep', with: { duration: '1h' } }] });
    await node.apply({
      name: parent,
      steps: [
        { id: 'free', action: 'run_automation', with: { automation: kid, wait: false } },
        { id: 'held', action: 'run_automation', with: { automation: kid } },
      ],
    });
    const run = await node.start(parent);
    // Both children asleep: a cancel that races a run's own suspension is another matter.
    await eventually(async () => {
      const kids = await runsOf(node, kid);
      return (await node.get(run.id)).status === 'waiting' && kids.length === 2 && kids.every((k) => k.status === 'waiting') ? true : undefined;
    }, 8_000, 'parent and children waiting');
    const free = stepOf(await node.get(run.id), 'free');
    await node.rota.runs.cancel(node.ws, run.id);
    const freeId = (free.output as { run_id: string }).run_id;
    const kids = await eventually(async () => {
      const rows = await runsOf(node, kid);
      return rows.length === 2 && rows.some((r) => r.status === 'canceled') && rows.find((r) => r.id === freeId)?.status === 'waiting' ? rows : undefined;
    }, 8_000, 'the held child canceled, the free one asleep').catch(async (err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(await runsOf(node, kid))} ${JSON.stringify((await node.get(run.id)).steps)}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal((await node.get(freeId)).status, 'waiting');
    assert.equal(kids.find((r) => r.id !== freeId)?.status, 'canceled');
    await node.rota.runs.cancel(node.ws, freeId);
  });

  // A crash right after the parent's cancel committed: nothing after the commit runs (the
  // runEnded hook, which ends children sooner, is cut off), then a new node starts on the database.
  for (const shape of ['waiting', 'running'] as const) {
    test(`the cancel of a ${shape} parent reaches its waited-for child in the same commit and survives a crash`, async () => {
      const first = await makeNode(db);
      const kid = uniqueName('kid');
      const parent = uniqueName('parent');
      await first.apply({ name: kid, steps: [{ id: 'z', action: 'sleep', with: { duration: '1h' } }] });
      const busy = shape === 'running' ? [{ id: 'busy', action: 'probe', needs: [], with: { hang: true } }] : [];
      await first.apply({ name: parent, steps: [{ id: 'held', action: 'run_automation', with: { automation: kid } }, ...busy] });
      const run = await first.start(parent);
      const [child] = await eventually(async () => {
        const kids = await runsOf(first, kid);
        const p = await first.get(run.id);
        return p.status === shape && stepOf(p, 'held').status === 'waiting' && kids.length === 1 && kids[0]!.status === 'waiting' ? kids : undefined;
      }, 8_000, `parent ${shape}, child waiting`).catch(async (err: Error) => {
        throw new Error(`${err.message}: ${JSON.stringify(await runsOf(first, kid))} ${JSON.stringify(await first.get(run.id))}`);
      });
      const internals = internalsOf(first.rota);
      internals.context.hooks.runEnded = () => {};
      // the waiting parent is canceled by the API's transaction: no worker of this node may end the child
      if (shape === 'waiting') await internals.worker.stop(0);
      await first.rota.runs.cancel(first.ws, run.id);
      assert.equal((await first.waitEnd(run.id)).status, 'canceled');
      const atCommit = (await runsOf(first, kid))[0]!;
      assert.equal(atCommit.cancel_requested, 1, 'the child was asked to cancel in the commit that ended its parent');
      if (shape === 'waiting') assert.equal(atCommit.status, 'waiting', 'nothing ended the child before the crash');
      const events = await first.events(child!.id);
      assert.ok(events.some((e) => e.type === 'run.cancel_requested'), JSON.stringify(events.map((e) => e.type)));
      await first.stop();

      const second = await makeNode(db);
      const ended = await second.waitEnd(child!.id);
      assert.equal(ended.status, 'canceled');
      assert.equal((await second.get(run.id)).status, 'canceled');
    });
  }
});
