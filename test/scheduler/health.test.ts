// Trigger health on SQLite and PostgreSQL with an injected clock: consecutive failed schedule
// fires (an inputs mapping that does not validate, one that fails) are counted with the last
// error, a good fire sets the count back to 0, deliberate skips leave it alone.
import { internalsOf } from '../../src/testing/index.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect, uniqueName } from '../support/node.js';
import { clockNode, MIN, scheduled } from './harness.js';
import { FakeClock } from '../support/fake-clock.js';

const START = '2030-01-01T10:00:00.000Z';
const inputs = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };

forEachDialect('trigger health (schedules)', (db) => {
  test('failed fires count up with the last error; a good fire resets the count and keeps the error', async () => {
    const clock = new FakeClock(Date.parse(START));
    const node = await clockNode(db, clock);
    const [bad, unresolved] = [uniqueName('health'), uniqueName('unresolved')];
    await node.apply(scheduled(bad, { every: '1m', overlap: 'allow', inputs: { n: '{{ data.slot }}' } }, { inputs }));
    await node.apply(scheduled(unresolved, { every: '1m', overlap: 'allow', inputs: { n: '{{ data.missing.deeper }}' } }, { inputs }));
    const health = async (name: string) => {
      const [t] = await node.rota.triggers.list(node.ws, name);
      return [t!.consecutive_failures, t!.last_failure, t!.last_failure_at];
    };
    assert.deepEqual(await health(bad), [0, null, null]);
    for (let i = 1; i <= 2; i++) {
      await clock.advance(MIN);
      await internalsOf(node.rota).scheduler.runDue();
    }
    const failedAt = new Date(clock.t).toISOString();
    const [count, error, at] = await health(bad);
    assert.deepEqual([count, at], [2, failedAt]);
    assert.match(String(error), /^invalid_inputs: .*\(\$\.n: must be integer\)$/);
    const [uCount, uError] = await health(unresolved);
    assert.equal(uCount, 2);
    assert.match(String(uError), /^invalid_inputs: /);

    // fixed: the next fire starts a run
    await node.apply(scheduled(bad, { every: '1m', overlap: 'allow', inputs: { n: 1 } }, { inputs }));
    await clock.advance(MIN);
    await internalsOf(node.rota).scheduler.runDue();
    assert.deepEqual(await health(bad), [0, error, failedAt]);
    assert.equal((await health(unresolved))[0], 3);
  });

  test('deliberate skips (overlap, misfire) neither count nor reset a failing trigger', async () => {
    const clock = new FakeClock(Date.parse(START));
    const node = await clockNode(db, clock);
    const name = uniqueName('deliberate');
    const count = async () => (await node.rota.triggers.list(node.ws, name))[0]!.consecutive_failures;
    const fireAfter = async (ms: number) => {
      await clock.advance(ms);
      await internalsOf(node.rota).scheduler.runDue();
    };
    await node.apply(scheduled(name, { every: '1m', misfire_grace: '1s', inputs: { n: 1 } }, { inputs }));
    await fireAfter(MIN); // queued, and stays active: no worker runs here
    assert.equal(await count(), 0);
    await node.apply(scheduled(name, { every: '1m', misfire_grace: '1s', inputs: { n: '{{ data.slot }}' } }, { inputs }));
    await fireAfter(MIN);
    assert.equal(await count(), 1);
    await node.apply(scheduled(name, { every: '1m', misfire_grace: '1s', inputs: { n: 1 } }, { inputs }));
    await fireAfter(MIN); // overlap skip: the first run is still queued
    await fireAfter(10 * MIN); // a misfire record, then another overlap skip
    const runs = (await node.rota.runs.list(node.ws, { automation: name, limit: 50 })).items.map((r) => r.skip_reason);
    assert.deepEqual(runs.sort(), ['invalid_inputs', 'misfire', 'overlap', 'overlap', null].sort());
    assert.equal(await count(), 1);
  });
});
