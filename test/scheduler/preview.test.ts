// The schedule preview and the triggers' `next_fire_at` on SQLite and PostgreSQL with an injected
// clock: times in the trigger's timezone with their offset, `from`, and a paused automation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect, uniqueName } from '../support/node.js';
import { clockNode, MIN, scheduled } from './harness.js';
import { FakeClock } from '../support/fake-clock.js';

const START = '2030-01-01T10:00:00.000Z';

forEachDialect('schedule preview', (db) => {
  test('from lists the times at or after it, in the timezone with the offset across a DST change', async () => {
    const clock = new FakeClock(Date.parse(START));
    const node = await clockNode(db, clock);
    const name = uniqueName('dst');
    await node.apply(scheduled(name, { cron: '0 3 * * *', timezone: 'Europe/Berlin' }));
    const [preview] = await node.rota.triggers.preview(node.ws, name, 2, { from: Date.parse('2026-03-28T02:00:00Z') });
    assert.deepEqual(preview!.next, ['2026-03-28T02:00:00.000Z', '2026-03-29T01:00:00.000Z']);
    assert.deepEqual(preview!.next_local, ['2026-03-28T03:00:00+01:00', '2026-03-29T03:00:00+02:00']);
    assert.equal(preview!.paused, false);
  });

  test('a paused automation previews from now, says it is paused, and its next_fire_at is not in the past', async () => {
    const clock = new FakeClock(Date.parse(START));
    const node = await clockNode(db, clock);
    const name = uniqueName('paused');
    await node.apply(scheduled(name, { every: '10m' }));
    await node.rota.automations.setStatus(node.ws, name, 'paused');
    await clock.advance(35 * MIN);
    const [preview] = await node.rota.triggers.preview(node.ws, name, 2);
    assert.equal(preview!.paused, true);
    assert.deepEqual(preview!.next, ['2030-01-01T10:40:00.000Z', '2030-01-01T10:50:00.000Z']);
    const [trigger] = await node.rota.triggers.list(node.ws, name);
    assert.equal(trigger!.paused, true);
    assert.equal(trigger!.next_fire_at, '2030-01-01T10:40:00.000Z');
    await node.rota.automations.setStatus(node.ws, name, 'active');
    const [resumed] = await node.rota.triggers.list(node.ws, name);
    assert.deepEqual([resumed!.paused, resumed!.next_fire_at], [false, '2030-01-01T10:40:00.000Z'], 'what the preview promised');
    assert.equal((await node.rota.triggers.preview(node.ws, name, 1))[0]!.paused, false);
  });
});
