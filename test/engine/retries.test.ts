import { internalsOf } from '../../src/testing/index.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AbortReason, ErrorCode } from '../../src/errors.js';
import { eventually, forEachDialect, makeNode, stepOf, uniqueName } from '../support/node.js';

forEachDialect('engine: retries, timeouts and cancel', (db) => {
  test('retriable errors are retried with the same step until success; attempts are counted', async () => {
    const node = await makeNode(db);
    const name = uniqueName('retry');
    await node.apply({
      name,
      steps: [{ id: 'a', action: 'probe', retry: { max_retries: 3, base_delay: '20ms', backoff: 'fixed' }, with: { fail_times: 2 } }],
    });
    const run = await node.runToEnd(name);
    assert.equal(run.status, 'succeeded');
    assert.equal(stepOf(run, 'a').attempt, 3);
    const calls = node.recorder.of(run.id, 'a');
    assert.deepEqual(calls.map((c) => [c.attempt, c.key, c.result]), [
      [1, `${run.id}:a:1`, 'error'],
      [2, `${run.id}:a:2`, 'error'],
      [3, `${run.id}:a:3`, 'ok'],
    ]);
    const retrying = (await node.events(run.id)).filter((e) => e.type === 'step.retrying');
    assert.equal(retrying.length, 2);
    for (const [i, e] of retrying.entries()) {
      const data = e.data as { attempt: number; error: { code: string; retriable: boolean }; retry_at: string };
      assert.equal(data.attempt, i + 1);
      assert.equal(data.error.retriable, true);
      assert.ok(!Number.isNaN(Date.parse(data.retry_at)));
    }
  });

  test('retries run out: the step fails with the last error after max_retries + 1 attempts', async () => {
    const node = await makeNode(db);
    const name = uniqueName('retry-out');
    await node.apply({ name, steps: [{ id: 'a', action: 'probe', retry: { max_retries: 1, base_delay: '10ms' }, with: { fail_times: 5 } }] });
    const run = await node.runToEnd(name);
    assert.equal(run.status, 'failed');
    assert.equal(stepOf(run, 'a').attempt, 2);
    assert.equal(run.error?.message, 'planned failure on attempt 2');
    assert.equal(node.recorder.of(run.id).length, 2);
  });

  test('a non-retriable error fails at once, whatever retries are left', async () => {
    const node = await makeNode(db);
    const name = uniqueName('nonretriable');
    await node.apply({
      name,
      steps: [{ id: 'a', action: 'probe', retry: { max_retries: 5, base_delay: '10ms' }, with: { fail_times: 1, fail_kind: 'non_retriable' } }],
    });
    const run = await node.runToEnd(name);
    assert.equal(run.status, 'failed');
    assert.deepEqual(run.error, { code: ErrorCode.action_failed, message: 'planned failure on attempt 1', retriable: false, step_id: 'a' });
    assert.equal(stepOf(run, 'a').attempt, 1);
    assert.equal(node.recorder.of(run.id).length, 1);
    assert.equal((await node.events(run.id)).filter((e) => e.type === 'step.retrying').length, 0);
  });

  test('the wait between attempts is durable: the run is waiting for retry and holds no worker slot', async () => {
    const node = await makeNode(db);
    const name = uniqueName('retry-wait');
    await node.apply({ name, steps: [{ id: 'a', action: 'probe', retry: { max_retries: 1, base_delay: '400ms', backoff: 'fixed', jitter: false }, with: { fail_times: 1 } }] });
    const { id } = await node.start(name);
    const waiting = await eventually(async () => {
      const r = await node.get(id);
      return r.status === 'waiting' ? r : undefined;
    }, 3_000, 'the run to wait for its retry');
    assert.equal(waiting.waiting_for, 'retry');
    const step = stepOf(waiting, 'a');
    assert.equal(step.status, 'waiting');
    assert.equal(step.waiting_for, 'retry');
    assert.ok(step.wake_at !== null && Date.parse(step.wake_at) > Date.now() - 50);
    assert.equal(internalsOf(node.rota).worker.activeRuns, 0, 'a waiting run holds no slot');
    const run = await node.waitEnd(id);
    assert.equal(run.status, 'succeeded');
    const types = (await node.events(id)).map((e) => e.type);
    assert.deepEqual(types.filter((t) => t.startsWith('run.')), ['run.queued', 'run.started', 'run.waiting', 'run.resumed', 'run.succeeded']);
  });

  test('a step timeout aborts the action, fails with step_timeout and is retried while retries are left', async () => {
    const node = await makeNode(db);
    const name = uniqueName('step-timeout');
    await node.apply({
      name,
      steps: [
        { id: 'slow', action: 'probe', timeout: '150ms', retry: { max_retries: 1, base_delay: '10ms' }, with: { hang_times: 1 } },
        { id: 'stuck', action: 'probe', timeout: '100ms', with: { hang: true } },
      ],
    });
    const run = await node.runToEnd(name);
    const slow = node.recorder.of(run.id, 'slow');
    assert.deepEqual(slow.map((c) => [c.attempt, c.result, c.abortReason]), [
      [1, 'aborted', AbortReason.step_timeout],
      [2, 'ok', undefined],
    ]);
    const retrying = (await node.events(run.id)).find((e) => e.type === 'step.retrying');
    assert.equal((retrying?.data as { error: { code: string } }).error.code, ErrorCode.step_timeout);
    assert.equal(stepOf(run, 'slow').status, 'succeeded');
    // no retries left: the timeout fails the step and the run
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.code, ErrorCode.step_timeout);
    assert.equal(run.error?.step_id, 'stuck');
    assert.deepEqual(node.recorder.of(run.id, 'stuck').map((c) => c.abortReason), ['step_timeout']);
  });

  test('a run past its timeout ends timed_out and the in-flight action is aborted', async () => {
    const node = await makeNode(db);
    const name = uniqueName('run-timeout');
    await node.apply({ name, execution: { timeout: '300ms' }, steps: [{ id: 'a', action: 'probe' }, { id: 'hang', action: 'probe', with: { hang: true } }] });
    const run = await node.runToEnd(name);
    assert.equal(run.status, 'timed_out');
    assert.equal(run.error?.code, ErrorCode.run_timeout);
    assert.equal(stepOf(run, 'a').status, 'succeeded');
    assert.equal(stepOf(run, 'hang').status, 'canceled');
    assert.deepEqual(node.recorder.of(run.id, 'hang').map((c) => [c.result, c.abortReason]), [['aborted', AbortReason.run_timeout]]);
    const elapsed = Date.parse(run.ended_at!) - Date.parse(run.started_at!);
    assert.ok(elapsed >= 290 && elapsed < 3_000, `ended after ${elapsed} ms`);
  });

  test('a run that times out while waiting for a retry ends timed_out', async () => {
    const node = await makeNode(db);
    const name = uniqueName('timeout-waiting');
    await node.apply({ name, execution: { timeout: '300ms' }, steps: [{ id: 'a', action: 'probe', retry: { max_retries: 3, base_delay: '10s' }, with: { fail_times: 3 } }] });
    const run = await node.runToEnd(name);
    assert.equal(run.status, 'timed_out');
    assert.equal(stepOf(run, 'a').status, 'canceled');
  });

  test('cancel of a running run aborts the in-flight action and ends canceled', async () => {
    const node = await makeNode(db);
    const name = uniqueName('cancel-running');
    await node.apply({ name, steps: [{ id: 'a', action: 'probe' }, { id: 'hang', action: 'probe', with: { hang: true } }, { id: 'after', action: 'probe' }] });
    const { id } = await node.start(name);
    await eventually(() => (node.recorder.of(id, 'hang').length > 0 ? true : undefined), 3_000, 'the hanging step to start');
    const canceled = await node.rota.runs.cancel(node.ws, id);
    assert.equal(canceled.status, 'canceled');
    assert.equal(canceled.error?.code, ErrorCode.canceled);
    assert.deepEqual(canceled.steps?.map((s) => s.status), ['succeeded', 'canceled', 'canceled']);
    assert.deepEqual(node.recorder.of(id, 'hang').map((c) => [c.result, c.abortReason]), [['aborted', AbortReason.cancel]]);
    assert.equal(node.recorder.of(id, 'after').length, 0);
    const types = (await node.events(id)).map((e) => e.type);
    assert.ok(types.includes('run.cancel_requested') && types.at(-1) === 'run.canceled', types.join());
  });

  test('cancel of a queued run and of a waiting run ends them canceled without executing more', async () => {
    const idle = await makeNode(db, { start: false });
    const name = uniqueName('cancel-idle');
    await idle.apply({ name, steps: [{ id: 'a', action: 'probe', retry: { max_retries: 2, base_delay: '1m' }, with: { fail_times: 1 } }] });
    const queued = await idle.start(name);
    assert.equal(queued.status, 'queued');
    const c1 = await idle.rota.runs.cancel(idle.ws, queued.id);
    assert.equal(c1.status, 'canceled');
    assert.deepEqual(c1.steps?.map((s) => s.status), ['canceled']);

    const node = await makeNode(db);
    const waitingRun = await node.start(name);
    const waiting = await eventually(async () => {
      const r = await node.get(waitingRun.id);
      return r.status === 'waiting' ? r : undefined;
    }, 3_000, 'the run to wait for its retry');
    assert.equal(waiting.waiting_for, 'retry');
    const c2 = await node.rota.runs.cancel(node.ws, waitingRun.id);
    assert.equal(c2.status, 'canceled');
    assert.equal(c2.waiting_for, null);
    assert.deepEqual(c2.steps?.map((s) => s.status), ['canceled']);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(node.recorder.ofAutomation(name).length, 1, 'the canceled queued run never ran; the waiting one ran once');
    assert.equal((await node.get(queued.id)).status, 'canceled');
    // cancel of a finished run changes nothing
    assert.equal((await node.rota.runs.cancel(node.ws, waitingRun.id)).status, 'canceled');
  });
});
