// The scheduler against the real engine on SQLite and PostgreSQL with an injected clock: slots fire
// once, catch-up policies, overlap, fire limits, pause, cursor resets, invalid inputs, `at`.
import { internalsOf } from '../../src/testing/index.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachDialect, uniqueName } from '../support/node.js';
import type { DefinitionError } from '../../src/errors.js';
import { clockNode, MIN, runsOf, scheduled, slotOf } from './harness.js';
import { FakeClock } from '../support/fake-clock.js';

const START = '2030-01-01T10:00:00.000Z';

forEachDialect('scheduler engine', (db) => {
  test('each slot fires once, from the first slot after apply; two nodes racing change nothing', async () => {
    const clock = new FakeClock(Date.parse(START) + 1);
    const [a, b] = [await clockNode(db, clock), await clockNode(db, clock)];
    const name = uniqueName('every');
    await a.apply(scheduled(name, { every: '1m', overlap: 'allow' }));
    for (let i = 0; i < 5; i++) {
      await clock.advance(MIN);
      await Promise.all([internalsOf(a.rota).scheduler.runDue(), internalsOf(b.rota).scheduler.runDue(), internalsOf(a.rota).scheduler.runDue()]);
    }
    const runs = await runsOf(a, name);
    assert.deepEqual(runs.map(slotOf), [1, 2, 3, 4, 5].map((m) => new Date(Date.parse(START) + m * MIN).toISOString()));
    assert.ok(runs.every((r) => r.status === 'queued' && r.trigger_kind === 'schedule' && r.idempotency_key?.startsWith('sch_')));
    const [trigger] = await a.rota.triggers.list(a.ws, name);
    assert.equal(trigger!.last_fire_at, slotOf(runs[4]!));
    assert.equal(trigger!.last_fire_id, runs[4]!.idempotency_key);
    assert.equal(trigger!.next_fire_at, new Date(Date.parse(START) + 6 * MIN).toISOString());
  });

  test('skip_missed records one misfire run with the range, then continues; counters updated', async () => {
    const clock = new FakeClock(Date.parse(START));
    const node = await clockNode(db, clock);
    const name = uniqueName('skip');
    await node.apply(scheduled(name, { every: '1m', overlap: 'allow' }));
    await clock.advance(10 * MIN + 30_000);
    await internalsOf(node.rota).scheduler.runDue();
    const runs = await runsOf(node, name);
    assert.deepEqual(runs.map((r) => r.status), ['skipped', 'queued']);
    assert.equal(runs[0]!.skip_reason, 'misfire');
    assert.deepEqual((runs[0]!.error?.details as Record<string, unknown>), {
      missed_slots: 9, first_slot: '2030-01-01T10:01:00.000Z', last_slot: '2030-01-01T10:09:00.000Z', truncated: false, catch_up: 'skip_missed',
    });
    assert.equal(slotOf(runs[1]!), '2030-01-01T10:10:00.000Z');
    const [trigger] = await node.rota.triggers.list(node.ws, name);
    assert.equal(trigger!.misfire_count, 9);
    assert.equal(trigger!.last_misfire_at, new Date(clock.t).toISOString());
  });

  test('coalesce runs once for the latest slot; replay runs the latest max_catch_up in order', async () => {
    const clock = new FakeClock(Date.parse(START));
    const node = await clockNode(db, clock);
    const [co, re] = [uniqueName('coalesce'), uniqueName('replay')];
    await node.apply(scheduled(co, { every: '1m', catch_up: 'coalesce', misfire_grace: '1s' }));
    await node.apply(scheduled(re, { every: '1m', catch_up: 'replay', max_catch_up: 3, overlap: 'allow' }));
    await clock.advance(6 * MIN + 5_000);
    await internalsOf(node.rota).scheduler.runDue();
    const coRuns = await runsOf(node, co);
    assert.deepEqual(coRuns.map((r) => [r.status, r.skip_reason]), [['skipped', 'misfire'], ['queued', null]]);
    assert.equal(slotOf(coRuns[1]!), '2030-01-01T10:06:00.000Z');
    assert.equal((coRuns[1]!.activation as { data: { coalesced: number } }).data.coalesced, 6);
    const reRuns = await runsOf(node, re);
    assert.deepEqual(reRuns.map((r) => r.status), ['skipped', 'queued', 'queued', 'queued', 'queued']);
    assert.equal((reRuns[0]!.error?.details as { missed_slots: number }).missed_slots, 2);
    assert.deepEqual(reRuns.slice(1).map(slotOf), ['03', '04', '05', '06'].map((m) => `2030-01-01T10:${m}:00.000Z`));
  });

  for (const overlap of ['skip', 'queue', 'allow', 'cancel_previous'] as const) {
    test(`overlap ${overlap} with schedules`, async () => {
      const clock = new FakeClock(Date.parse(START));
      const node = await clockNode(db, clock);
      const name = uniqueName(`ov-${overlap.replace('_', '-')}`);
      await node.apply(scheduled(name, { every: '1m', ...(overlap === 'skip' ? {} : { overlap }) }));
      await clock.advance(MIN);
      await internalsOf(node.rota).scheduler.runDue();
      await clock.advance(MIN);
      await internalsOf(node.rota).scheduler.runDue();
      const runs = await runsOf(node, name);
      assert.equal(runs.length, 2);
      assert.equal(runs[0]!.status, 'queued');
      if (overlap === 'skip') assert.deepEqual([runs[1]!.status, runs[1]!.skip_reason], ['skipped', 'overlap']);
      else assert.equal(runs[1]!.status, 'queued');
      const row = await internalsOf(node.rota).store.db.selectFrom('runs').select(['cancel_requested', 'concurrency_limit']).where('id', '=', runs[0]!.id).executeTakeFirstOrThrow();
      assert.equal(row.cancel_requested, overlap === 'cancel_previous' ? 1 : 0);
      if (overlap === 'queue' || overlap === 'cancel_previous') {
        const second = await internalsOf(node.rota).store.db.selectFrom('runs').select('concurrency_limit').where('id', '=', runs[1]!.id).executeTakeFirstOrThrow();
        assert.equal(second.concurrency_limit, 1);
      }
    });
  }

  // Replayed slots of one trigger share one batch: each fire must see the runs admitted before it
  // in that batch exactly as if they had been inserted one by one.
  test('fires sharing one batch see each other: overlap skip, cancel_previous, fire limits', async () => {
    const clock = new FakeClock(Date.parse(START));
    const node = await clockNode(db, clock);
    const [skip, cancel, limited] = [uniqueName('b-skip'), uniqueName('b-cancel'), uniqueName('b-limit')];
    const replay = { every: '1m', catch_up: 'replay', misfire_grace: '1s' };
    await node.apply(scheduled(skip, replay));
    await node.apply(scheduled(cancel, { ...replay, overlap: 'cancel_previous' }));
    await node.apply(scheduled(limited, { ...replay, overlap: 'allow', fire_limit: { max: 2, window: '1h' } }));
    await clock.advance(4 * MIN + 5_000);
    await internalsOf(node.rota).scheduler.runDue();

    const skipRuns = await runsOf(node, skip);
    assert.deepEqual(skipRuns.map((r) => [r.status, r.skip_reason]), [['queued', null], ['skipped', 'overlap'], ['skipped', 'overlap'], ['skipped', 'overlap']]);
    assert.deepEqual((skipRuns[3]!.error?.details as { active_runs: string[] }).active_runs, [skipRuns[0]!.id]);

    const cancelRuns = await runsOf(node, cancel);
    assert.deepEqual(cancelRuns.map((r) => r.status), ['queued', 'queued', 'queued', 'queued']);
    const flags = await internalsOf(node.rota).store.db.selectFrom('runs').select(['id', 'cancel_requested', 'concurrency_limit']).where('id', 'in', cancelRuns.map((r) => r.id)).execute();
    const byId = new Map(flags.map((f) => [f.id, f]));
    assert.deepEqual(cancelRuns.map((r) => byId.get(r.id)!.cancel_requested), [1, 1, 1, 0]);
    assert.deepEqual(cancelRuns.map((r) => byId.get(r.id)!.concurrency_limit), [null, 1, 1, 1]);

    const limitRuns = await runsOf(node, limited);
    assert.deepEqual(limitRuns.map((r) => r.skip_reason), [null, null, 'fire_limit', 'fire_limit']);
    assert.equal((limitRuns[2]!.error?.details as { retry_at: string }).retry_at, new Date(clock.t + 60 * MIN).toISOString());
  });

  test('fire limits: over the limit is skipped with retry_at, and the limit holds after a restart', async () => {
    const clock = new FakeClock(Date.parse(START));
    const node = await clockNode(db, clock);
    const name = uniqueName('limit');
    await node.apply(scheduled(name, { every: '1m', overlap: 'allow', fire_limit: { max: 2, window: '1h' } }));
    for (let i = 0; i < 3; i++) {
      await clock.advance(MIN);
      await internalsOf(node.rota).scheduler.runDue();
    }
    await node.stop();
    const restarted = await clockNode(db, clock);
    await clock.advance(MIN);
    await internalsOf(restarted.rota).scheduler.runDue();
    const runs = await runsOf(restarted, name);
    assert.deepEqual(runs.map((r) => r.skip_reason), [null, null, 'fire_limit', 'fire_limit']);
    assert.equal((runs[2]!.error?.details as { retry_at: string }).retry_at, '2030-01-01T11:01:00.000Z');
  });

  test('pausing stops fires; resuming continues from the next slot without catching up', async () => {
    const clock = new FakeClock(Date.parse(START));
    const node = await clockNode(db, clock);
    const name = uniqueName('pause');
    await node.apply(scheduled(name, { every: '1m', overlap: 'allow', catch_up: 'replay' }));
    await node.rota.automations.setStatus(node.ws, name, 'paused');
    await clock.advance(5 * MIN + 10_000);
    await internalsOf(node.rota).scheduler.runDue();
    assert.equal((await runsOf(node, name)).length, 0);
    await node.rota.automations.setStatus(node.ws, name, 'active');
    await internalsOf(node.rota).scheduler.runDue();
    assert.equal((await runsOf(node, name)).length, 0);
    await clock.advance(MIN);
    await internalsOf(node.rota).scheduler.runDue();
    assert.deepEqual((await runsOf(node, name)).map(slotOf), ['2030-01-01T10:06:00.000Z']);
  });

  test('disabled triggers never fire; enabling starts from the next slot', async () => {
    const clock = new FakeClock(Date.parse(START));
    const node = await clockNode(db, clock);
    const name = uniqueName('disabled');
    await node.apply({ ...scheduled(name, { every: '1m', enabled: false }) });
    await clock.advance(3 * MIN);
    await internalsOf(node.rota).scheduler.runDue();
    assert.equal((await runsOf(node, name)).length, 0);
    await node.apply({ ...scheduled(name, { every: '1m', enabled: false }), description: 'unrelated edit' });
    const enabled = await node.rota.triggers.setEnabled(node.ws, name, 'tick', true);
    assert.equal(enabled.next_fire_at, '2030-01-01T10:04:00.000Z');
    await node.apply({ ...scheduled(name, { every: '1m', enabled: false }), description: 'another unrelated edit keeps the toggle' });
    await clock.advance(MIN);
    await internalsOf(node.rota).scheduler.runDue();
    assert.equal((await runsOf(node, name)).length, 1);
    await node.rota.triggers.setEnabled(node.ws, name, 'tick', false);
    await clock.advance(5 * MIN);
    await internalsOf(node.rota).scheduler.runDue();
    assert.equal((await runsOf(node, name)).length, 1);
  });

  test('a schedule edit resets the cursor; other edits keep it', async () => {
    const clock = new FakeClock(Date.parse(START) + 30_000);
    const node = await clockNode(db, clock);
    const name = uniqueName('edit');
    await node.apply(scheduled(name, { every: '1h', catch_up: 'skip_missed' }));
    const next = async () => (await node.rota.triggers.list(node.ws, name))[0]!;
    assert.equal((await next()).next_fire_at, '2030-01-01T11:00:00.000Z');
    const hash = (await next()).schedule_hash;
    await clock.advance(10 * MIN);
    await node.apply(scheduled(name, { every: '1h', catch_up: 'replay', overlap: 'queue' }, { description: 'steps and policy edited' }));
    assert.equal((await next()).next_fire_at, '2030-01-01T11:00:00.000Z');
    assert.equal((await next()).schedule_hash, hash);
    await node.apply(scheduled(name, { every: '15m', catch_up: 'replay' }));
    assert.equal((await next()).next_fire_at, '2030-01-01T10:15:00.000Z');
    assert.notEqual((await next()).schedule_hash, hash);
    await node.apply(scheduled(name, { cron: '0 9 * * *', timezone: 'Europe/Berlin' }));
    assert.equal((await next()).next_fire_at, '2030-01-02T08:00:00.000Z');
  });

  test('an inputs mapping that fails or does not validate records a skipped run (invalid_inputs)', async () => {
    const clock = new FakeClock(Date.parse(START));
    const node = await clockNode(db, clock);
    const [bad, unresolved] = [uniqueName('badinputs'), uniqueName('unresolved')];
    const inputs = { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] };
    await node.apply(scheduled(bad, { every: '1m', inputs: { n: '{{ data.slot }}' } }, { inputs }));
    await node.apply(scheduled(unresolved, { every: '1m', inputs: { n: '{{ data.missing.deeper }}' } }, { inputs }));
    await clock.advance(MIN);
    await internalsOf(node.rota).scheduler.runDue();
    for (const name of [bad, unresolved]) {
      const runs = await runsOf(node, name);
      assert.deepEqual(runs.map((r) => [r.status, r.skip_reason]), [['skipped', 'invalid_inputs']], name);
    }
    const [trigger] = await node.rota.triggers.list(node.ws, bad);
    assert.equal(trigger!.next_fire_at, '2030-01-01T10:02:00.000Z', 'the scheduler moved on');
  });

  test('at: fires once and retires; re-enabling a passed one is refused; a past at is refused at apply', async () => {
    const clock = new FakeClock(Date.parse(START));
    const node = await clockNode(db, clock);
    const name = uniqueName('at');
    await node.apply(scheduled(name, { at: '2030-01-01T10:05:00Z' }));
    await clock.advance(10 * MIN);
    await internalsOf(node.rota).scheduler.runDue();
    await internalsOf(node.rota).scheduler.runDue();
    const runs = await runsOf(node, name);
    assert.deepEqual(runs.map((r) => [r.status, r.skip_reason]), [['skipped', 'misfire']]);
    let [trigger] = await node.rota.triggers.list(node.ws, name);
    assert.deepEqual([trigger!.enabled, trigger!.next_fire_at], [false, null]);
    await assert.rejects(node.rota.triggers.setEnabled(node.ws, name, 'tick', true), /has passed; set a new `at` time/);
    await node.apply({ ...scheduled(name, { at: '2030-01-01T10:05:00Z' }), description: 'unrelated edits of a retired at are fine' });
    [trigger] = await node.rota.triggers.list(node.ws, name);
    assert.equal(trigger!.enabled, false);
    await assert.rejects(node.apply(scheduled(uniqueName('past'), { at: '2030-01-01T09:00:00Z' })), (err: DefinitionError) =>
      err.problems.some((p) => p.path === '$.triggers[0].at' && /in the past; give a future time/.test(p.message)),
    );
    await node.apply(scheduled(name, { at: '2030-01-01T10:20:00Z' }));
    await clock.advance(10 * MIN);
    await internalsOf(node.rota).scheduler.runDue();
    assert.deepEqual((await runsOf(node, name)).map((r) => r.status), ['skipped', 'queued']);
    [trigger] = await node.rota.triggers.list(node.ws, name);
    assert.equal(trigger!.enabled, false);
  });

  test('preview lists the next fire times from the cursor', async () => {
    const clock = new FakeClock(Date.parse(START));
    const node = await clockNode(db, clock);
    const name = uniqueName('preview');
    await node.apply(scheduled(name, { cron: '30 2 * * *', timezone: 'America/New_York' }));
    const [preview] = await node.rota.triggers.preview(node.ws, name, 3);
    assert.deepEqual(preview, {
      trigger_id: 'tick',
      enabled: true,
      paused: false,
      timezone: 'America/New_York',
      next: ['2030-01-02T07:30:00.000Z', '2030-01-03T07:30:00.000Z', '2030-01-04T07:30:00.000Z'],
      next_local: ['2030-01-02T02:30:00-05:00', '2030-01-03T02:30:00-05:00', '2030-01-04T02:30:00-05:00'],
    });
  });
});
