/**
 * Retries, timeouts and cancel on a FakeClock: a retry's durable wake_at is checked against the
 * backoff computed from the failure's time, and time moves only when the test moves it, so a
 * timeout fires at its exact millisecond and nothing runs before it is due.
 */
import { internalsOf } from '../../src/testing/index.js';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AbortReason, ErrorCode } from '../../src/errors.js';
import { isTerminalRun } from '../../src/states.js';
import type { RunView } from '../../src/node/views.js';
import { FakeClock } from '../support/fake-clock.js';
import { eventually, forEachDialect, makeNode, stepOf, uniqueName, type TestNode } from '../support/node.js';

const T0 = Date.parse('2030-01-01T00:00:00Z');

async function ended(node: TestNode, id: string): Promise<RunView> {
  return eventually(async () => {
    const run = await node.get(id);
    return isTerminalRun(run.status) ? run : undefined;
  }, 8_000, `run ${id} to end`);
}

/** The run once it waits with its step at `attempt`. */
async function waitingAt(node: TestNode, id: string, stepId: string, attempt: number): Promise<RunView> {
  return eventually(async () => {
    const run = await node.get(id);
    const step = run.steps?.find((s) => s.id === stepId);
    return run.status === 'waiting' && step?.status === 'waiting' && step.attempt === attempt ? run : undefined;
  }, 5_000, `step ${stepId} to wait after attempt ${attempt}`);
}

/** Waits until some timer is armed within [from, to] (the worker re-arms after its claim pass). */
async function armed(clock: FakeClock, from: number, to: number): Promise<number> {
  return eventually(() => clock.dueTimes().find((at) => at >= from && at <= to), 5_000, `a timer between ${from - T0} and ${to - T0} ms`);
}

const at = (iso: string | null | undefined): number => Date.parse(iso!);

forEachDialect('engine: retries, timeouts and cancel', (db) => {
  test('retriable errors are retried with the same step until success; each retry is due exactly base_delay after its failure', async () => {
    const clock = new FakeClock(T0);
    const node = await makeNode(db, { clock });
    const name = uniqueName('retry');
    await node.apply({
      name,
      steps: [{ id: 'a', action: 'probe', retry: { max_retries: 3, base_delay: '20ms', backoff: 'fixed', jitter: false }, with: { fail_times: 2 } }],
    });
    const { id } = await node.start(name);
    const failedAt: number[] = [];
    for (const attempt of [1, 2]) {
      const waiting = await waitingAt(node, id, 'a', attempt);
      failedAt.push(clock.t);
      const wakeAt = at(stepOf(waiting, 'a').wake_at);
      assert.equal(wakeAt, clock.t + 20, `retry ${attempt} is due 20 ms after the failure`);
      await clock.set(wakeAt - 1);
      assert.equal(node.recorder.of(id, 'a').length, attempt, 'nothing ran before the retry was due');
      // the worker's due timer fires 1 ms after claim_at (a real timer may fire a millisecond early)
      await clock.set(await armed(clock, wakeAt, wakeAt + 1));
    }
    const run = await ended(node, id);
    assert.equal(run.status, 'succeeded');
    assert.equal(stepOf(run, 'a').attempt, 3);
    assert.deepEqual(failedAt, [T0, T0 + 21]);
    const calls = node.recorder.of(run.id, 'a');
    assert.deepEqual(calls.map((c) => [c.attempt, c.key, c.result]), [
      [1, `${run.id}:a`, 'error'],
      [2, `${run.id}:a`, 'error'],
      [3, `${run.id}:a`, 'ok'],
    ]);
    const retrying = (await node.events(run.id)).filter((e) => e.type === 'step.retrying');
    assert.equal(retrying.length, 2);
    for (const [i, e] of retrying.entries()) {
      const data = e.data as { attempt: number; error: { code: string; retriable: boolean }; retry_at: string };
      assert.equal(data.attempt, i + 1);
      assert.equal(data.error.retriable, true);
      assert.equal(at(data.retry_at), failedAt[i] + 20);
      assert.equal(at(e.created_at), failedAt[i]);
    }
    const resumed = (await node.events(run.id)).filter((e) => e.type === 'run.resumed').map((e) => at(e.created_at));
    assert.deepEqual(resumed, [T0 + 21, T0 + 42], 'each retry resumed 1 ms after it was due, never before');
  });

  test('retries run out: the step fails with the last error after max_retries + 1 attempts', async () => {
    const clock = new FakeClock(T0);
    const node = await makeNode(db, { clock });
    const name = uniqueName('retry-out');
    await node.apply({ name, steps: [{ id: 'a', action: 'probe', retry: { max_retries: 1, base_delay: '10ms' }, with: { fail_times: 5 } }] });
    const { id } = await node.start(name);
    const wakeAt = at(stepOf(await waitingAt(node, id, 'a', 1), 'a').wake_at);
    // exponential with equal jitter: the first retry waits between half and all of base_delay
    assert.ok(wakeAt >= T0 + 5 && wakeAt <= T0 + 10, `retry due ${wakeAt - T0} ms after the failure`);
    await clock.set(await armed(clock, wakeAt, wakeAt + 1));
    const run = await ended(node, id);
    assert.equal(run.status, 'failed');
    assert.equal(stepOf(run, 'a').attempt, 2);
    assert.equal(run.error?.message, 'planned failure on attempt 2');
    assert.equal(node.recorder.of(run.id).length, 2);
  });

  test('a non-retriable error fails at once, whatever retries are left', async () => {
    const clock = new FakeClock(T0);
    const node = await makeNode(db, { clock });
    const name = uniqueName('nonretriable');
    await node.apply({
      name,
      steps: [{ id: 'a', action: 'probe', retry: { max_retries: 5, base_delay: '10ms' }, with: { fail_times: 1, fail_kind: 'non_retriable' } }],
    });
    const run = await ended(node, (await node.start(name)).id);
    assert.equal(run.status, 'failed');
    assert.deepEqual(run.error, { code: ErrorCode.action_failed, message: 'planned failure on attempt 1', retriable: false, step_id: 'a' });
    assert.equal(stepOf(run, 'a').attempt, 1);
    assert.equal(node.recorder.of(run.id).length, 1);
    assert.equal((await node.events(run.id)).filter((e) => e.type === 'step.retrying').length, 0);
    assert.equal(at(run.ended_at), T0, 'no time passed');
  });

  test('the wait between attempts is durable: the run is waiting for retry and holds no worker slot', async () => {
    const clock = new FakeClock(T0);
    const node = await makeNode(db, { clock });
    const name = uniqueName('retry-wait');
    await node.apply({ name, steps: [{ id: 'a', action: 'probe', retry: { max_retries: 1, base_delay: '400ms', backoff: 'fixed', jitter: false }, with: { fail_times: 1 } }] });
    const { id } = await node.start(name);
    const waiting = await waitingAt(node, id, 'a', 1);
    assert.equal(waiting.waiting_for, 'retry');
    const step = stepOf(waiting, 'a');
    assert.equal(step.waiting_for, 'retry');
    assert.equal(at(step.wake_at), T0 + 400);
    assert.equal(internalsOf(node.rota).worker.activeRuns, 0, 'a waiting run holds no slot');
    await clock.set(T0 + 399);
    assert.equal((await node.get(id)).status, 'waiting');
    assert.equal(node.recorder.of(id).length, 1);
    // 400 ms is past the 50 ms poll, so the poll due at T0 + 400 claims it
    await clock.set(T0 + 400);
    const run = await ended(node, id);
    assert.equal(run.status, 'succeeded');
    const events = await node.events(id);
    assert.deepEqual(events.map((e) => e.type).filter((t) => t.startsWith('run.')), ['run.queued', 'run.started', 'run.waiting', 'run.resumed', 'run.succeeded']);
    assert.equal(at(events.find((e) => e.type === 'run.resumed')?.created_at), T0 + 400);
  });

  test('a step timeout aborts the action, fails with step_timeout and is retried while retries are left', async () => {
    const clock = new FakeClock(T0);
    const node = await makeNode(db, { clock });
    const name = uniqueName('step-timeout');
    await node.apply({
      name,
      steps: [
        { id: 'slow', action: 'probe', timeout: '150ms', retry: { max_retries: 1, base_delay: '10ms', jitter: false }, with: { hang_times: 1 } },
        { id: 'stuck', action: 'probe', timeout: '100ms', with: { hang: true } },
      ],
    });
    const { id } = await node.start(name);
    await eventually(() => (node.recorder.of(id, 'slow').length === 1 ? true : undefined), 5_000, 'slow to start');
    await clock.set(T0 + 149);
    assert.equal(node.recorder.of(id, 'slow')[0].result, 'running', 'no timeout before its time');
    await clock.set(T0 + 150);
    assert.deepEqual(node.recorder.of(id, 'slow').map((c) => [c.result, c.abortReason]), [['aborted', AbortReason.step_timeout]]);
    const retrying = await eventually(async () => (await node.events(id)).find((e) => e.type === 'step.retrying'), 5_000, 'the retry of slow');
    const data = retrying.data as { error: { code: string }; retry_at: string };
    assert.equal(data.error.code, ErrorCode.step_timeout);
    assert.equal(at(data.retry_at), T0 + 160);
    const resumeAt = await armed(clock, T0 + 160, T0 + 161);
    await clock.set(resumeAt);
    await eventually(() => (node.recorder.of(id, 'stuck').length === 1 ? true : undefined), 5_000, 'stuck to start after slow');
    await clock.set(resumeAt + 99);
    assert.equal(node.recorder.of(id, 'stuck')[0].result, 'running', 'no timeout before its time');
    await clock.set(resumeAt + 100);
    const run = await ended(node, id);
    const slow = node.recorder.of(run.id, 'slow');
    assert.deepEqual(slow.map((c) => [c.attempt, c.result, c.abortReason]), [
      [1, 'aborted', AbortReason.step_timeout],
      [2, 'ok', undefined],
    ]);
    assert.equal(stepOf(run, 'slow').status, 'succeeded');
    // no retries left: the timeout fails the step and the run
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.code, ErrorCode.step_timeout);
    assert.equal(run.error?.step_id, 'stuck');
    assert.equal(at(stepOf(run, 'stuck').ended_at) - at(stepOf(run, 'stuck').started_at), 100);
    assert.deepEqual(node.recorder.of(run.id, 'stuck').map((c) => c.abortReason), ['step_timeout']);
  });

  test('a run past its timeout ends timed_out and the in-flight action is aborted', async () => {
    const clock = new FakeClock(T0);
    const node = await makeNode(db, { clock });
    const name = uniqueName('run-timeout');
    await node.apply({ name, execution: { timeout: '300ms' }, steps: [{ id: 'a', action: 'probe' }, { id: 'hang', action: 'probe', with: { hang: true } }] });
    const { id } = await node.start(name);
    await eventually(() => (node.recorder.of(id, 'hang').length === 1 ? true : undefined), 5_000, 'the hanging step to start');
    await clock.set(T0 + 299);
    assert.equal(node.recorder.of(id, 'hang')[0].result, 'running');
    await clock.set(T0 + 300);
    const run = await ended(node, id);
    assert.equal(run.status, 'timed_out');
    assert.equal(run.error?.code, ErrorCode.run_timeout);
    assert.equal(stepOf(run, 'a').status, 'succeeded');
    assert.equal(stepOf(run, 'hang').status, 'canceled');
    assert.deepEqual(node.recorder.of(run.id, 'hang').map((c) => [c.result, c.abortReason]), [['aborted', AbortReason.run_timeout]]);
    assert.equal(at(run.started_at), T0);
    assert.equal(at(run.ended_at), T0 + 300);
  });

  test('a run that times out while waiting for a retry ends timed_out', async () => {
    const clock = new FakeClock(T0);
    const node = await makeNode(db, { clock });
    const name = uniqueName('timeout-waiting');
    await node.apply({ name, execution: { timeout: '300ms' }, steps: [{ id: 'a', action: 'probe', retry: { max_retries: 3, base_delay: '10s' }, with: { fail_times: 3 } }] });
    const { id } = await node.start(name);
    const waiting = await waitingAt(node, id, 'a', 1);
    assert.ok(at(stepOf(waiting, 'a').wake_at) >= T0 + 5_000, 'the retry is due after the run deadline');
    await clock.set(T0 + 299);
    assert.equal((await node.get(id)).status, 'waiting');
    // the run is claimed again at its deadline (the poll due at T0 + 300), not at the retry
    await clock.set(T0 + 300);
    const run = await ended(node, id);
    assert.equal(run.status, 'timed_out');
    assert.equal(stepOf(run, 'a').status, 'canceled');
    assert.equal(at(run.ended_at), T0 + 300);
    assert.equal(node.recorder.of(id).length, 1);
  });

  test('cancel of a running run aborts the in-flight action and ends canceled', async () => {
    const clock = new FakeClock(T0);
    const node = await makeNode(db, { clock });
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
    const clock = new FakeClock(T0);
    const idle = await makeNode(db, { clock, start: false });
    const name = uniqueName('cancel-idle');
    await idle.apply({ name, steps: [{ id: 'a', action: 'probe', retry: { max_retries: 2, base_delay: '1m' }, with: { fail_times: 1 } }] });
    const queued = await idle.start(name);
    assert.equal(queued.status, 'queued');
    const c1 = await idle.rota.runs.cancel(idle.ws, queued.id);
    assert.equal(c1.status, 'canceled');
    assert.deepEqual(c1.steps?.map((s) => s.status), ['canceled']);

    const node = await makeNode(db, { clock });
    const waitingRun = await node.start(name);
    const waiting = await waitingAt(node, waitingRun.id, 'a', 1);
    assert.equal(waiting.waiting_for, 'retry');
    const wakeAt = at(stepOf(waiting, 'a').wake_at);
    const c2 = await node.rota.runs.cancel(node.ws, waitingRun.id);
    assert.equal(c2.status, 'canceled');
    assert.equal(c2.waiting_for, null);
    assert.deepEqual(c2.steps?.map((s) => s.status), ['canceled']);
    const rows = await internalsOf(node.rota).store.db.selectFrom('runs').select(['claim_at']).where('id', 'in', [queued.id, waitingRun.id]).execute();
    assert.deepEqual(rows.map((r) => r.claim_at), [null, null], 'neither run can be claimed again');
    // past the canceled retry's time: the worker polled all along and ran nothing
    await clock.set(wakeAt + 100);
    assert.equal(node.recorder.ofAutomation(name).length, 1, 'the canceled queued run never ran; the waiting one ran once');
    assert.equal((await node.get(queued.id)).status, 'canceled');
    // cancel of a finished run changes nothing
    assert.equal((await node.rota.runs.cancel(node.ws, waitingRun.id)).status, 'canceled');
  });
});
