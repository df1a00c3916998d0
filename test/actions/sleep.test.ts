import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sleepAction, type SleepConfig } from '../../src/actions/sleep.js';
import { isSuspension } from '../../src/actions/types.js';
import { RotaError } from '../../src/errors.js';
import { makeContext } from './context.js';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');

function call(config: SleepConfig, now: number, state?: unknown) {
  return sleepAction.handler(makeContext<SleepConfig>({ config, now: () => now, state }));
}

describe('sleep action', () => {
  test('a duration suspends until now + duration, then completes', async () => {
    const first = await call({ duration: '1h30m' }, T0);
    assert.ok(isSuspension(first));
    assert.deepEqual(first, { kind: 'suspend', waitingFor: 'sleep', wakeAt: T0 + 5_400_000, state: { until: T0 + 5_400_000 } });
    const done = await call({ duration: '1h30m' }, T0 + 5_400_000, first.state);
    assert.deepEqual(done, { slept_until: '2030-01-01T01:30:00.000Z' });
  });

  test('an early wake-up suspends again with the same until, never extending the sleep', async () => {
    const again = await call({ duration: '10m' }, T0 + 60_000, { until: T0 + 600_000 });
    assert.ok(isSuspension(again));
    assert.equal(again.wakeAt, T0 + 600_000);
    assert.deepEqual(again.state, { until: T0 + 600_000 });
  });

  test('until suspends until that time', async () => {
    const first = await call({ until: '2030-01-02T00:00:00Z' }, T0);
    assert.ok(isSuspension(first));
    assert.equal(first.wakeAt, T0 + 86_400_000);
  });

  test('an until in the past completes at once', async () => {
    assert.deepEqual(await call({ until: '2029-12-31T23:00:00+00:00' }, T0), { slept_until: '2029-12-31T23:00:00.000Z' });
  });

  test('bad values fail the step', async () => {
    for (const config of [{ duration: 'soon' }, { until: 'tomorrow' }, {}, { duration: '1s', until: '2030-01-01T00:00:00Z' }]) {
      await assert.rejects(call(config as SleepConfig, T0), (err: unknown) => err instanceof RotaError && !err.retriable);
    }
  });
});
