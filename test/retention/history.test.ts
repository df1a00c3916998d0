// What a prune must not lose or leave behind: cost totals and daily budgets (the rollup), the
// archive read back, old events and deliveries, two PostgreSQL nodes sweeping at once, and on
// SQLite the file shrinking after a large prune.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { forEachDialect, makeNode } from '../support/node.js';
import { FakeClock } from '../support/fake-clock.js';
import { internalsOf } from '../../src/testing/index.js';
import { recordAgentCall } from '../../src/store/agent-calls.js';
import { automationOf, retentionNode, rowsOf, seedRuns } from './seed.js';
import SQLite from 'better-sqlite3';
import { openStore, type Store } from '../../src/store/connect.js';

const NOW = Date.parse('2030-06-15T12:00:00Z');
const DAY = 86_400_000;

forEachDialect('retention: history kept and space back', (db) => {
  test('cost totals and the daily budget are unchanged after the runs that spent are pruned', async () => {
    const { node, sweeper, store } = await retentionNode(db);
    const a = await automationOf(node, { max_runs: 1 });
    await node.apply({ name: a.name, execution: { retention: { max_runs: 1 }, budget: { per_day: { max_cost_usd: 1 } } }, steps: [{ id: 'a', action: 'set', with: { x: 1 } }] });
    const [spender] = await seedRuns(store, a, [{ status: 'succeeded', endedAt: NOW - 60_000 }]);
    await seedRuns(store, a, [{ status: 'succeeded', endedAt: NOW - 1_000 }]);
    const call = { run_id: spender!, step_id: 's0', position: 0, kind: 'model' as const, name: 'p:m', request_hash: 'h', status: 'ok' as const, input_tokens: 100, output_tokens: 50, cached_tokens: 0, cost_usd: 0.75, latency_ms: 1, workspace_id: a.workspace_id, automation_id: a.id, created_at: NOW - 120_000 };
    await store.db.transaction().execute((tx) => recordAgentCall(tx, { ...call, seq: 1 }, null, NOW));
    await store.db.transaction().execute((tx) => recordAgentCall(tx, { ...call, seq: 2, cost_usd: 0.5 }, null, NOW));
    const since = Math.floor(NOW / DAY) * DAY;
    const before = await node.rota.agent!.costs(node.ws, a.name, since);
    assert.deepEqual([before.cost_usd, before.tokens, before.model_calls], [1.25, 300, 2]);
    await assert.rejects(node.start(a.name), /daily budget spent/);

    const result = await sweeper.sweep();
    assert.equal(result.runs.count, 1);
    assert.deepEqual(await rowsOf(store, [spender!]), { runs: 0, steps: 0, run_events: 0, agent_calls: 0, artifacts: 0, approvals: 0, event_waits: 0, delegations: 0 });
    const after = await node.rota.agent!.costs(node.ws, a.name, since);
    assert.deepEqual(after, before);
    await assert.rejects(node.start(a.name), /daily budget spent/);
  });

  test('with archive_dir, every pruned run is read back from the daily gzip file with its steps and events', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rota-archive-'));
    try {
      const { node, sweeper, store } = await retentionNode(db, { archiveDir: dir });
      const a = await automationOf(node, { max_age: '1d' });
      const pruned = await seedRuns(store, a, Array.from({ length: 17 }, () => ({ status: 'failed' as const, endedAt: NOW - 2 * DAY, extras: true, steps: 3 })));
      const [kept] = await seedRuns(store, a, [{ status: 'succeeded', endedAt: NOW }]);
      const result = await sweeper.sweep();
      assert.equal(result.runs.age, 17);
      assert.deepEqual(await readdir(dir), ['runs-2030-06-15.jsonl.gz']);
      const lines = gunzipSync(await readFile(join(dir, 'runs-2030-06-15.jsonl.gz'))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(new Set(lines.map((l) => l.run.id)), new Set(pruned));
      assert.equal(lines.some((l) => l.run.id === kept), false);
      for (const line of lines) {
        assert.equal(line.run.status, 'failed');
        assert.deepEqual(line.run.output, { ok: true }, 'JSON columns are values');
        assert.deepEqual(line.steps.map((s: { step_id: string }) => s.step_id), ['s0', 's1', 's2']);
        assert.deepEqual(line.events.map((e: { type: string }) => e.type), ['run.queued', 'run.started']);
        assert.equal(line.agent_calls.length, 1);
        assert.equal(line.artifacts[0].content, undefined, 'artifact metadata only');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('old published events (dispatched) and webhook deliveries go; young and undispatched ones stay', async () => {
    const { node, sweeper, store } = await retentionNode(db, { eventsMaxAge: '7d', deliveriesMaxAge: '7d' });
    const a = await automationOf(node);
    const ev = (id: string, age: number, dispatched: boolean) => ({ id, workspace_id: node.ws, name: 'x', data: null, source: 'api', dedupe_id: null, created_at: NOW - age, dispatched_at: dispatched ? NOW - age : null });
    await store.db.insertInto('events').values([ev('e-old', 8 * DAY, true), ev('e-pending', 8 * DAY, false), ev('e-young', DAY, true)]).execute();
    const dl = (id: string, age: number) => ({ id, automation_id: a.id, trigger_id: 'hook', delivery_id: null, outcome: 'accepted' as const, reason: null, status_code: 202, run_ids: '[]', received_at: NOW - age });
    await store.db.insertInto('webhook_deliveries').values([dl('d-old', 8 * DAY), dl('d-young', DAY)]).execute();
    const result = await sweeper.sweep();
    assert.deepEqual([result.events, result.deliveries], [1, 1]);
    const events = await store.db.selectFrom('events').select('id').where('id', 'like', 'e-%').orderBy('id').execute();
    assert.deepEqual(events.map((e) => e.id), ['e-pending', 'e-young']);
    const deliveries = await store.db.selectFrom('webhook_deliveries').select('id').where('id', 'like', 'd-%').execute();
    assert.deepEqual(deliveries.map((d) => d.id), ['d-young']);
  });

  if (db.dialect === 'postgres') {
    test('two nodes sweeping at once delete each run once, without deadlock', async () => {
      const one = await retentionNode(db, { batchSize: 25 });
      const two = await makeNode(db, { clock: new FakeClock(NOW), start: false, config: { retention: { enabled: false, batchPause: 0, batchSize: 25 } } });
      const a = await automationOf(one.node, { max_age: '1d' });
      const ids = await seedRuns(one.store, a, Array.from({ length: 400 }, () => ({ status: 'succeeded' as const, endedAt: NOW - 2 * DAY, extras: true })));
      const results = await Promise.all([one.sweeper.sweep(), internalsOf(two.rota).sweeper.sweep(), one.sweeper.sweep()]);
      const again = await internalsOf(two.rota).sweeper.sweep();
      const total = [...results, again].reduce((n, r) => n + r.runs.age, 0);
      assert.equal(total, 400, 'every run deleted exactly once');
      assert.equal((await rowsOf(one.store, ids)).runs, 0);
    });
  }

  if (db.dialect === 'sqlite') {
    test('the SQLite file shrinks after a large prune (incremental vacuum)', async () => {
      const { node, sweeper, store } = await retentionNode(db, { batchSize: 500 });
      const auto = await store.db.executeQuery<{ auto_vacuum: number }>({ sql: 'PRAGMA auto_vacuum', parameters: [], query: { kind: 'RawNode' } } as never);
      assert.equal(Number(auto.rows[0]!.auto_vacuum), 2, 'INCREMENTAL on a new database');
      const a = await automationOf(node, { max_age: '1d' });
      for (let i = 0; i < 4; i++) await seedRuns(store, a, Array.from({ length: 1000 }, () => ({ status: 'succeeded' as const, endedAt: NOW - 2 * DAY, outputBytes: 2_000, steps: 3 })));
      await store.db.executeQuery({ sql: 'PRAGMA wal_checkpoint(TRUNCATE)', parameters: [], query: { kind: 'RawNode' } } as never);
      const file = join(db.dataDir, 'rota.db');
      const before = statSync(file).size;
      const result = await sweeper.sweep();
      assert.equal(result.runs.age, 4000);
      assert.ok(result.pagesVacuumed > 0);
      const after = statSync(file).size;
      assert.ok(after < before / 3, `file ${before} → ${after} bytes`);
    });

    test('an existing database is switched to incremental vacuum once, by a node that migrates, never by doctor', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'rota-vacuum-'));
      try {
        const old = new SQLite(join(dir, 'rota.db'));
        old.exec('CREATE TABLE made_before (x TEXT)');
        old.close();
        const mode = (store: Store) => store.db.executeQuery<{ auto_vacuum: number }>({ sql: 'PRAGMA auto_vacuum', parameters: [], query: { kind: 'RawNode' } } as never).then((r) => Number(r.rows[0]!.auto_vacuum));
        const notices: string[] = [];
        const doctor = await openStore({ dataDir: dir, migrate: false, onNotice: (m) => notices.push(m) });
        assert.equal(await mode(doctor), 0, 'opening without migrating rewrites nothing');
        await doctor.close();
        const serving = await openStore({ dataDir: dir, onNotice: (m) => notices.push(m) });
        assert.equal(await mode(serving), 2);
        await serving.close();
        assert.equal(notices.length, 2, 'start and end of the one-time VACUUM are told');
        assert.match(notices[0]!, /one-time VACUUM/);
        const again = await openStore({ dataDir: dir, onNotice: (m) => notices.push(m) });
        await again.close();
        assert.equal(notices.length, 2, 'and never again');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
