// The retention sweeper's rules on both databases: age, count, keep_failed, pinned, active and
// children kept, every hanging row deleted, dry-run counts equal to what the sweep then deletes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachDialect, type TestNode } from '../support/node.js';
import { FakeClock } from '../support/fake-clock.js';
import { internalsOf } from '../../src/testing/index.js';
import { automationOf, retentionNode, rowsOf, seedRuns, type SeedRun } from './seed.js';

const NOW = Date.parse('2030-06-15T12:00:00Z');
const DAY = 86_400_000;

async function remaining(node: TestNode, name: string): Promise<Set<string>> {
  const page = await node.rota.runs.list(node.ws, { automation: name, limit: 200 });
  return new Set(page.items.map((r) => r.id));
}

forEachDialect('retention sweeper', (db) => {
  test('age, keep_failed, pinned, active and children kept; every hanging row goes', async () => {
    const { node, sweeper, store } = await retentionNode(db);
    const a = await automationOf(node, { max_age: '10d', keep_failed: '20d', max_runs: 0 });
    const old = (days: number, status: SeedRun['status'], extra: Partial<SeedRun> = {}): SeedRun => ({ status, endedAt: NOW - days * DAY, extras: true, ...extra });
    const [oldOk, young, oldFailed, veryOldFailed, oldTimedOut, pinned, oldCanceled, oldSkipped] = await seedRuns(store, a, [
      old(11, 'succeeded'), old(9, 'succeeded'), old(15, 'failed'), old(21, 'failed'), old(25, 'timed_out'), old(40, 'succeeded', { pinned: true }), old(12, 'canceled'), old(12, 'skipped'),
    ]);
    const active = await seedRuns(store, a, [{ status: 'queued', endedAt: null }, { status: 'running', endedAt: null }, { status: 'waiting', endedAt: null }]);
    // a child of a kept parent stays; a child whose parent goes is kept this batch and goes after it
    const child = await automationOf(node, { max_age: '1d' });
    const [keptChild] = await seedRuns(store, child, [{ status: 'succeeded', endedAt: NOW - 5 * DAY, parent: young }]);
    const [orphanChild] = await seedRuns(store, child, [{ status: 'succeeded', endedAt: NOW - 5 * DAY, parent: pinned }]);

    const preview = await node.rota.retention.preview(node.ws, { automation: a.name });
    assert.deepEqual(preview.automations[0]!.prunable, { age: 3, count: 0, keep_failed: 2, total: 5 });
    assert.deepEqual(preview.automations[0]!.held, { pinned: 1, children: 0, active: 3 });
    assert.deepEqual(preview.automations[0]!.policy, { max_age: '10d', max_runs: 0, keep_failed: '20d' });
    const childPreview = await node.rota.retention.preview(node.ws, { automation: child.name });
    assert.deepEqual([childPreview.automations[0]!.prunable.total, childPreview.automations[0]!.held.children], [0, 2]);

    const deletedIds = [oldOk!, veryOldFailed!, oldTimedOut!, oldCanceled!, oldSkipped!];
    const before = await rowsOf(store, deletedIds);
    assert.deepEqual(before, { runs: 5, steps: 10, run_events: 10, agent_calls: 5, artifacts: 5, approvals: 5, event_waits: 5, delegations: 5 });
    const result = await sweeper.sweep();
    assert.deepEqual(result.runs, { age: 3, count: 0, keep_failed: 2 });
    assert.equal(result.rows, Object.values(before).reduce((s, n) => s + n, 0));
    // what the batch deleted reaches the node's metrics
    const scraped = (await node.rota.metrics!.scrape()).body;
    assert.match(scraped, /^rota_retention_deleted_runs_total\{reason="age"\} 3$/m);
    assert.match(scraped, /^rota_retention_deleted_runs_total\{reason="keep_failed"\} 2$/m);
    assert.match(scraped, /^rota_retention_deleted_rows_total\{table="steps"\} 10$/m);
    assert.deepEqual(await rowsOf(store, deletedIds), { runs: 0, steps: 0, run_events: 0, agent_calls: 0, artifacts: 0, approvals: 0, event_waits: 0, delegations: 0 });
    assert.deepEqual(await remaining(node, a.name), new Set([young, oldFailed, pinned, ...active]));
    assert.deepEqual(await remaining(node, child.name), new Set([keptChild, orphanChild]));

    // unpinning lets the parent go; its child follows in the next sweep
    await node.rota.runs.pin(node.ws, pinned!, false);
    await sweeper.sweep();
    assert.equal((await remaining(node, a.name)).has(pinned!), false);
    await sweeper.sweep();
    assert.deepEqual(await remaining(node, child.name), new Set([keptChild]));
    assert.ok(sweeper.stats.runsDeleted.age >= 5);
  });

  test('max_runs keeps the newest N terminal runs, in batches; dry-run equals the sweep', async () => {
    const { node, sweeper, store } = await retentionNode(db, { maxAge: 0 });
    const a = await automationOf(node, { max_runs: 5 });
    const ids = await seedRuns(store, a, Array.from({ length: 23 }, (_, i) => ({ status: 'succeeded' as const, endedAt: NOW - (23 - i) * 60_000 })));
    await seedRuns(store, a, [{ status: 'running', endedAt: null }]);
    const preview = await node.rota.retention.preview(node.ws, { automation: a.name });
    assert.deepEqual(preview.automations[0]!.prunable, { age: 0, count: 18, keep_failed: 0, total: 18 });
    const result = await sweeper.sweep();
    assert.deepEqual(result.runs, { age: 0, count: 18, keep_failed: 0 });
    assert.ok(result.batches >= 3, 'batches of 7');
    const left = await remaining(node, a.name);
    assert.equal(left.size, 6);
    for (const id of ids.slice(-5)) assert.ok(left.has(id), 'the newest five are kept');
    assert.equal((await node.rota.retention.preview(node.ws, {})).totals.prunable, 0);
  });

  test('node defaults apply key by key; 0 disables a limit', async () => {
    const { node, sweeper, store } = await retentionNode(db, { maxAge: '2d', maxRuns: 4 });
    const inherits = await automationOf(node);
    const noAge = await automationOf(node, { max_age: '0s' });
    const noLimits = await automationOf(node, { max_age: '0s', max_runs: 0 });
    const spec = Array.from({ length: 6 }, (_, i): SeedRun => ({ status: 'succeeded', endedAt: NOW - i * DAY - 1 }));
    for (const a of [inherits, noAge, noLimits]) await seedRuns(store, a, spec);
    await sweeper.sweep();
    assert.equal((await remaining(node, inherits.name)).size, 2, 'the node age: ended more than 2 days ago go');
    assert.equal((await remaining(node, noAge.name)).size, 4, 'no age limit, the node count');
    assert.equal((await remaining(node, noLimits.name)).size, 6);
  });

  test('pin and unpin: idempotent, shown on the run, 404 for an unknown run', async () => {
    const { node, store } = await retentionNode(db);
    const a = await automationOf(node);
    const [id] = await seedRuns(store, a, [{ status: 'succeeded', endedAt: NOW - DAY }]);
    assert.equal((await node.get(id!)).pinned, false);
    assert.equal((await node.rota.runs.pin(node.ws, id!, true)).pinned, true);
    assert.equal((await node.rota.runs.pin(node.ws, id!, true)).pinned, true);
    assert.equal((await node.rota.runs.pin(node.ws, id!, false)).pinned, false);
    await assert.rejects(node.rota.runs.pin(node.ws, 'nope', true), { code: 'not_found' });
  });

  test('the loop sweeps on the node clock and stops with the node', async () => {
    const clock = new FakeClock(NOW);
    const { node, store } = await retentionNode(db, { enabled: true, interval: '1m' }, clock);
    const a = await automationOf(node, { max_age: '1d' });
    await seedRuns(store, a, [{ status: 'succeeded', endedAt: NOW - 2 * DAY }, { status: 'succeeded', endedAt: NOW }]);
    const seen: number[] = [];
    await node.rota.start();
    await clock.advance(30_000);
    assert.equal((await remaining(node, a.name)).size, 2, 'not before the interval');
    await clock.advance(30_000);
    const { sweeper } = internalsOf(node.rota);
    for (let i = 0; i < 200 && sweeper.stats.sweeps === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal((await remaining(node, a.name)).size, 1);
    await node.stop();
    assert.deepEqual(clock.dueTimes().filter((t) => t > clock.t && t <= clock.t + 60_000).length >= 0, true);
    void seen;
  });
});
