/** `GET /api/v1/automation-stats`: a page of the automations list summarized in one request, on both databases. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CompiledQuery } from 'kysely';
import { createApi } from '../../src/api/server.js';
import { recentEndedRunsQuery } from '../../src/store/automation-stats.js';
import type { AutomationStatsView } from '../../src/node/views.js';
import { eventually, forEachDialect, TestDatabase, uniqueName, type TestNode } from '../support/node.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';
import { makeAgentNode } from '../agent/harness.js';

forEachDialect('api: automation stats', (db) => {
  let llm: StandIn;
  before(async () => (llm = await startStandIn()));
  after(() => llm.close());

  async function api(node: TestNode) {
    const app = createApi(node.rota, { maxBodyBytes: 1 << 20, defaultWorkspace: 'default' });
    const { token } = await node.rota.tokens.create(node.ws, 'reader', ['automations:read']);
    return async (query: string, bearer = token) => {
      const res = await app.request(`/api/v1/automation-stats?${query}`, { headers: { authorization: `Bearer ${bearer}` } });
      return { status: res.status, body: (await res.json()) as { items: AutomationStatsView[]; error?: { code: string; details: { path: string; message: string }[] } } };
    };
  }

  test('recent outcomes newest first, success rate without canceled runs, open runs, today\'s agent spend', async () => {
    const node = await makeAgentNode(db, llm);
    const get = await api(node);
    const mixed = uniqueName('mixed');
    const flag = `fail-${mixed}`;
    await node.apply({ name: mixed, steps: [{ id: 'a', action: 'probe', with: { fail_if_flag: flag, hang_if_flag: `hang-${mixed}` } }] });
    const outcomes: string[] = [];
    for (const fail of [false, true, false, false, true]) {
      if (fail) node.recorder.flags.add(flag);
      else node.recorder.flags.delete(flag);
      outcomes.push((await node.runToEnd(mixed)).status);
    }
    node.recorder.flags.delete(flag);
    assert.deepEqual(outcomes, ['succeeded', 'failed', 'succeeded', 'succeeded', 'failed']);
    // one canceled run (not an outcome of the work: left out of the rate) and one still running
    node.recorder.flags.add(`hang-${mixed}`);
    const canceled = await node.start(mixed);
    await eventually(async () => ((await node.get(canceled.id)).status === 'running' ? true : undefined), 5_000, 'the run to start');
    await node.rota.runs.cancel(node.ws, canceled.id);
    assert.equal((await node.waitEnd(canceled.id)).status, 'canceled');
    const running = await node.start(mixed);
    await eventually(async () => ((await node.get(running.id)).status === 'running' ? true : undefined), 5_000, 'the run to start');

    const agent = uniqueName('agent');
    await node.apply({ name: agent, steps: [{ id: 'ask', action: 'agent', with: { prompt: 'hi' } }] });
    llm.script([{ text: 'hello', usage: { input: 1000, output: 100 } }]);
    const paid = await node.runToEnd(agent);
    assert.equal(paid.status, 'succeeded', JSON.stringify(paid.error));
    assert.ok(paid.cost_usd > 0);

    const quiet = uniqueName('quiet');
    await node.apply({ name: quiet, steps: [{ id: 'a', action: 'set', with: { x: 1 } }] });

    const { status, body } = await get(`names=${quiet},${mixed},nope-${mixed},${agent}`);
    assert.equal(status, 200, JSON.stringify(body));
    // the order asked; an unknown name is left out
    assert.deepEqual(body.items.map((s) => s.name), [quiet, mixed, agent]);
    const [q, m, a] = body.items as [AutomationStatsView, AutomationStatsView, AutomationStatsView];
    assert.deepEqual(q, { name: quiet, recent: [], success_rate: null, open: { queued: 0, running: 0, waiting: 0 }, today: { cost_usd: 0, tokens: 0 } });
    assert.deepEqual(m.recent.map((r) => r.status), ['canceled', 'failed', 'succeeded', 'succeeded', 'failed', 'succeeded']);
    assert.equal(m.recent[0]!.id, canceled.id);
    assert.ok(m.recent.every((r, i) => i === 0 || r.ended_at <= m.recent[i - 1]!.ended_at));
    assert.equal(m.success_rate, 3 / 5);
    assert.deepEqual(m.open, { queued: 0, running: 1, waiting: 0 });
    assert.equal(m.today.cost_usd, 0);
    assert.deepEqual(a.recent.map((r) => r.id), [paid.id]);
    assert.equal(a.success_rate, 1);
    assert.ok(Math.abs(a.today.cost_usd - paid.cost_usd) < 1e-12, `${a.today.cost_usd} vs ${paid.cost_usd}`);
    assert.equal(a.today.tokens, paid.tokens);

    // `runs` bounds the strip; the rate is of the strip
    const short = await get(`names=${mixed}&runs=2`);
    assert.deepEqual(short.body.items[0]!.recent.map((r) => r.status), ['canceled', 'failed']);
    assert.equal(short.body.items[0]!.success_rate, 0);

    node.recorder.flags.delete(`hang-${mixed}`);
    await node.rota.runs.cancel(node.ws, running.id);
    await node.waitEnd(running.id);
  });

  test('a full page of 100 names in one request; more, bad names and a missing scope are refused', async () => {
    const node = await makeAgentNode(db, llm);
    const get = await api(node);
    const prefix = uniqueName('page');
    const names = Array.from({ length: 100 }, (_, i) => `${prefix}-${String(i).padStart(3, '0')}`);
    for (const name of names) await node.apply({ name, steps: [{ id: 'a', action: 'set', with: { x: 1 } }] });
    const last = await node.runToEnd(names[99]!);
    const page = await get(`names=${names.join(',')}`);
    assert.equal(page.status, 200, JSON.stringify(page.body).slice(0, 500));
    assert.equal(page.body.items.length, 100);
    assert.deepEqual(page.body.items[99]!.recent.map((r) => r.id), [last.id]);
    assert.ok(page.body.items.slice(0, 99).every((s) => s.recent.length === 0));

    const tooMany = await get(`names=${[...names, `${prefix}-x`].join(',')}`);
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body.error?.code, 'invalid_request');
    assert.deepEqual(tooMany.body.error?.details.map((d) => d.path), ['query.names']);
    assert.match(tooMany.body.error!.details[0]!.message, /at most 100 names/);

    const bad = await get(`names=${names[0]},Not_A_Name`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error?.details[0]?.path, 'query.names');
    assert.match(bad.body.error!.details[0]!.message, /"Not_A_Name"/);
    for (const query of ['names=', 'names=,', '', `names=${names[0]}&runs=0`, `names=${names[0]}&runs=51`]) {
      assert.equal((await get(query)).status, 400, query);
    }

    const { token: runsOnly } = await node.rota.tokens.create(node.ws, 'runs-only', ['runs:read']);
    assert.equal((await get(`names=${names[0]}`, runsOnly)).status, 403);
  });

  test('another workspace\'s automation is left out, as if it did not exist', async () => {
    const node = await makeAgentNode(db, llm);
    const name = uniqueName('mine');
    await node.apply({ name, steps: [{ id: 'a', action: 'set', with: { x: 1 } }] });
    await node.runToEnd(name);
    const other = await node.rota.workspaces.ensure(uniqueName('other'));
    const { token } = await node.rota.tokens.create(other.id, 'reader', ['automations:read']);
    const get = await api(node);
    const theirs = await get(`names=${name}`, token);
    assert.equal(theirs.status, 200);
    assert.deepEqual(theirs.body.items, []);
    assert.equal((await get(`names=${name}`)).body.items[0]!.recent.length, 1);
  });
});

test('the strip of each automation is an index search, never a sort of its history (SQLite plan)', async () => {
  const db = new TestDatabase('sqlite');
  await db.open();
  try {
    const conn = db.sharedStore!.db;
    const compiled = recentEndedRunsQuery(conn, ['a', 'b', 'c'], 20).compile();
    const plan = (await conn.executeQuery(CompiledQuery.raw(`explain query plan ${compiled.sql}`, [...compiled.parameters]))).rows as { detail: string }[];
    const details = plan.map((r) => r.detail);
    assert.equal(details.filter((d) => /SEARCH runs USING INDEX runs_retention \(automation_id=\? AND ended_at>\?\)/.test(d)).length, 3, details.join('\n'));
    assert.ok(!details.some((d) => /TEMP B-TREE/.test(d)), details.join('\n'));
  } finally {
    await db.close();
  }
});
