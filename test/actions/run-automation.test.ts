import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runAutomationAction, type RunAutomationConfig } from '../../src/actions/run-automation.js';
import { isSuspension } from '../../src/actions/types.js';
import { ErrorCode, NonRetriableError } from '../../src/errors.js';
import { InMemoryServices, makeContext } from './context.js';

function call(services: InMemoryServices, config: RunAutomationConfig, state?: unknown) {
  return runAutomationAction.handler(makeContext<RunAutomationConfig>({ config, services, state }));
}

describe('run_automation action', () => {
  test('wait: false starts the child and outputs its id', async () => {
    const services = new InMemoryServices();
    assert.deepEqual(await call(services, { automation: 'child', inputs: { x: 1 }, wait: false }), { run_id: 'run_child_1' });
    const child = services.runs.get('run_child_1');
    assert.deepEqual(
      { inputs: child?.inputs, key: child?.idempotencyKey, parent: child?.parent },
      { inputs: { x: 1 }, key: 'run_1:step_1', parent: { runId: 'run_1', stepId: 'step_1' } },
    );
  });

  test('waits for an active child, then outputs its result', async () => {
    const services = new InMemoryServices();
    const first = await call(services, { automation: 'child' });
    assert.ok(isSuspension(first));
    assert.deepEqual(first, { kind: 'suspend', waitingFor: 'child_run', wakeAt: null, state: { run_id: 'run_child_1' } });
    services.finish('run_child_1', 'running');
    const still = await call(services, { automation: 'child' }, first.state);
    assert.ok(isSuspension(still) && still.wakeAt === null);
    services.finish('run_child_1', 'succeeded', { output: { total: 3 } });
    assert.deepEqual(await call(services, { automation: 'child' }, first.state), { run_id: 'run_child_1', status: 'succeeded', output: { total: 3 } });
  });

  test('a re-executed first call finds the child it already started', async () => {
    const services = new InMemoryServices();
    await call(services, { automation: 'child' });
    await call(services, { automation: 'child' });
    assert.equal(services.runs.size, 1);
  });

  test('a child that already finished is reported without suspending', async () => {
    const services = new InMemoryServices();
    await call(services, { automation: 'child', wait: false });
    services.finish('run_child_1', 'succeeded', { output: 'ok' });
    assert.deepEqual(await call(services, { automation: 'child' }), { run_id: 'run_child_1', status: 'succeeded', output: 'ok' });
  });

  for (const status of ['failed', 'canceled', 'timed_out'] as const) {
    test(`a child that ended ${status} fails the step with its error`, async () => {
      const services = new InMemoryServices();
      const first = await call(services, { automation: 'child' });
      const error = { code: 'http_error', message: 'boom' };
      services.finish('run_child_1', status, { error });
      const assertion = (err: unknown): boolean => {
        assert.ok(err instanceof NonRetriableError);
        assert.equal(err.code, ErrorCode.child_run_failed);
        assert.deepEqual(err.details, { run_id: 'run_child_1', status, error });
        return true;
      };
      await assert.rejects(call(services, { automation: 'child' }, isSuspension(first) ? first.state : undefined), assertion);
    });
  }

  test('a child that vanished fails the step', async () => {
    await assert.rejects(call(new InMemoryServices(), { automation: 'child' }, { run_id: 'run_gone' }), /no longer exists/);
  });
});
