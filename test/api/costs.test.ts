/**
 * `GET /api/v1/costs`: a workspace's agent spend per UTC day, automation and model (the LLM
 * stand-in's usage priced by the configured models), totals, daily budgets against today's spend,
 * the same after retention pruned the runs that spent; and migration 013's backfill of the
 * by-model rollup, the spending of runs pruned before it kept as unattributed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { RotaConfig } from '../../src/config/types.js';
import { createClient, RotaApiError, type RotaClient } from '../../src/client/index.js';
import { MIGRATIONS, migrate } from '../../src/store/migrate.js';
import { openStore } from '../../src/store/connect.js';
import { insertRuns } from '../../src/store/run-insert.js';
import { runInsert } from '../retention/seed.js';
import { DIALECTS } from '../support/node.js';
import { createPostgresSchema } from '../support/postgres.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';
import { startTestServer, type TestServer } from './harness.js';

const PRICE = { input: 1, output: 2, cached: 1 };
/** 2000 input and 100 output tokens at $1 / $2 per million */
const CALL_USD = 0.0022;
const DAY_MS = 86_400_000;
const today = () => new Date().toISOString().slice(0, 10);
const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;

for (const dialect of DIALECTS) {
  describe(`GET /costs [${dialect}]`, () => {
    let llm: StandIn;
    let server: TestServer;
    let client: RotaClient;

    before(async () => {
      llm = await startStandIn();
      llm.script(() => ({ text: 'done', usage: { input: 2000, output: 100 } }));
      server = await startTestServer({
        dialect,
        config: {
          providers: { fake: { kind: 'openai_compatible', baseUrl: llm.openaiBaseUrl, apiKeyEnv: null, headers: {} } },
          models: { default: { model: 'fake:small', price: PRICE }, big: { model: 'fake:large', price: PRICE } },
          budgets: { automationPerDay: { maxCostUsd: 5 }, workspacePerDay: { maxCostUsd: 20, maxTokens: 5_000_000 } },
          // pruned by the test only, not by a background sweep
          retention: { enabled: false } as RotaConfig['retention'],
        },
      });
      client = createClient({ url: server.url, token: server.adminToken });
      const agent = (model: string) => [{ id: 'ask', action: 'agent', with: { prompt: 'Hi', model, max_tokens: 100 } }];
      await client.automations.apply('triage', { name: 'triage', execution: { budget: { per_day: { max_cost_usd: 1, max_tokens: 100_000 } }, retention: { max_runs: 1 } }, steps: agent('default') });
      await client.automations.apply('report', { name: 'report', steps: agent('big') });
      await client.automations.apply('quiet', { name: 'quiet', steps: [{ id: 'a', action: 'set', with: { x: 1 } }] });
      for (const name of ['triage', 'triage', 'report']) {
        const { run } = await client.automations.run(name, { wait: '20s' });
        assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      }
    });
    after(async () => {
      await server?.close();
      await llm?.close();
    });

    test('spend per day, automation and model, with totals and the daily budgets against today', async () => {
      const costs = await client.costs({ days: 7 });
      assert.equal(costs.days, 7);
      assert.equal(costs.today, today());
      assert.equal(costs.since, new Date(Date.parse(`${today()}T00:00:00Z`) - 6 * DAY_MS).toISOString().slice(0, 10));
      assert.deepEqual(
        costs.entries.map((e) => [e.day, e.automation, e.model, e.calls, e.tokens]),
        [
          [today(), 'report', 'fake:large', 1, 2100],
          [today(), 'triage', 'fake:small', 2, 4200],
        ],
      );
      assert.ok(near(costs.entries[1]!.cost_usd, 2 * CALL_USD));
      assert.ok(near(costs.totals.cost_usd, 3 * CALL_USD));
      assert.deepEqual([costs.totals.calls, costs.totals.tokens], [3, 6300]);

      const { budgets } = costs;
      assert.deepEqual(budgets.automation_per_day, { max_cost_usd: 5, max_tokens: null });
      assert.deepEqual(budgets.workspace.limit, { max_cost_usd: 20, max_tokens: 5_000_000 });
      assert.equal(budgets.workspace.spent.tokens, 6300);
      assert.equal(budgets.workspace.exhausted, false);
      // every automation has the node's default limit; `quiet` too, with nothing spent
      assert.deepEqual(budgets.automations.map((a) => a.automation), ['quiet', 'report', 'triage']);
      const triage = budgets.automations.find((a) => a.automation === 'triage')!;
      assert.deepEqual(triage.per_day, { max_cost_usd: 1, max_tokens: 100_000 });
      assert.deepEqual(triage.limit, { max_cost_usd: 1, max_tokens: 100_000 }, 'the stricter of node and definition');
      assert.equal(triage.spent.tokens, 4200);
      assert.ok(near(triage.spent.cost_usd, 2 * CALL_USD));
      assert.equal(triage.status, 'active');
      const report = budgets.automations.find((a) => a.automation === 'report')!;
      assert.deepEqual([report.per_day, report.limit], [null, { max_cost_usd: 5, max_tokens: null }]);
      assert.deepEqual(budgets.automations.find((a) => a.automation === 'quiet')!.spent, { cost_usd: 0, tokens: 0 });
      // the default is 30 days
      assert.equal((await client.costs()).days, 30);
    });

    test('a spent day shows as exhausted', async () => {
      await client.automations.apply('tight', { name: 'tight', execution: { budget: { per_day: { max_tokens: 2100 } } }, steps: [{ id: 'ask', action: 'agent', with: { prompt: 'Hi', max_tokens: 100 } }] });
      // the gate lets the first call through (its worst case fits), then the day is spent
      const { run } = await client.automations.run('tight', { wait: '20s' });
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      const tight = (await client.costs({ days: 1 })).budgets.automations.find((a) => a.automation === 'tight')!;
      assert.deepEqual([tight.spent.tokens, tight.exhausted], [2100, true]);
      await assert.rejects(client.automations.run('tight'), (err: unknown) => err instanceof RotaApiError && err.status === 429);
    });

    test('unchanged after retention pruned the runs that spent', async () => {
      const before = await client.costs({ days: 7 });
      const pruned = await client.retention.prune({ automation: 'triage' });
      assert.equal(pruned.runs.total, 1, 'one of the two triage runs is beyond max_runs: 1');
      assert.deepEqual(await client.costs({ days: 7 }), before);
    });

    test('another workspace sees only its own spend', async () => {
      await client.workspaces.create('elsewhere');
      const other = createClient({ url: server.url, token: server.adminToken, workspace: 'elsewhere' });
      const costs = await other.costs({ days: 7 });
      assert.deepEqual([costs.entries, costs.totals, costs.budgets.automations], [[], { cost_usd: 0, tokens: 0, calls: 0 }, []]);
      assert.equal(costs.budgets.workspace.spent.tokens, 0);
    });

    test('bad input is a 400 naming days; reading needs runs:read', async () => {
      for (const days of ['0', '367', 'abc', '1.5']) {
        const res = await fetch(`${server.url}/api/v1/costs?days=${days}`, { headers: { authorization: `Bearer ${server.adminToken}` } });
        assert.equal(res.status, 400, days);
        const body = (await res.json()) as { error: { details: { path: string }[] } };
        assert.deepEqual(body.error.details.map((d) => d.path), ['query.days'], days);
      }
      const { token } = await client.tokens.create('emitter', ['events:write']);
      await assert.rejects(createClient({ url: server.url, token }).costs(), (err: unknown) => err instanceof RotaApiError && err.status === 403);
    });

    test('the OpenAPI document describes it', async () => {
      const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, { get?: { operationId?: string } }>; components: { schemas: Record<string, unknown> } };
      assert.equal(doc.paths['/api/v1/costs']?.get?.operationId, 'getCosts');
      assert.ok(doc.components.schemas.WorkspaceCosts);
    });
  });

  describe(`migration 013: costs by model [${dialect}]`, () => {
    test('backfilled from the ledger; the spending of runs pruned before it is kept unattributed', async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'rota-costs-migration-'));
      const pg = dialect === 'postgres' ? await createPostgresSchema() : null;
      const store = await openStore({ databaseUrl: pg?.url ?? null, dataDir, migrate: false });
      try {
        // a database of the previous release: migrated up to 012
        await sql`CREATE TABLE rota_migrations (id text PRIMARY KEY, applied_at bigint NOT NULL)`.execute(store.db);
        const index = MIGRATIONS.findIndex((m) => m.id === '013-cost-models');
        assert.ok(index > 0);
        for (const m of MIGRATIONS.slice(0, index)) {
          await m.up(store.db);
          await store.db.insertInto('rota_migrations' as never).values({ id: m.id, applied_at: 0 } as never).execute();
        }
        const automation = { id: 'auto', workspace_id: 'ws', name: 'spender' };
        await store.db.insertInto('workspaces').values({ id: 'ws', name: 'ws', created_at: 0 }).execute();
        await store.db.insertInto('automations').values({ ...automation, status: 'active', source: 'api', latest_version: 1, paused_overlay: 0, consecutive_failures: 0, created_at: 0, updated_at: 0 }).execute();
        await store.db.transaction().execute((tx) => insertRuns(tx, store.dialect, [runInsert(automation, { status: 'succeeded', endedAt: 0 }, 'run-kept')]));
        const day = 20_000;
        const at = day * DAY_MS + 3_600_000;
        const call = (seq: number, name: string, cost: number, runId = 'run-kept') => ({
          run_id: runId, step_id: 's', seq, position: seq, kind: 'model' as const, name, request_hash: 'h', request: null, response: null, status: 'ok' as const, error: null,
          input_tokens: 100, output_tokens: 10, cached_tokens: 0, cost_usd: cost, latency_ms: 1, workspace_id: 'ws', automation_id: 'auto', created_at: at,
        });
        await store.db.insertInto('agent_calls').values([call(1, 'p:a', 0.25), call(2, 'p:a', 0.25), call(3, 'p:b', 0.5)]).execute();
        // the 010 rollup also holds two calls ($1, 220 tokens) whose runs were pruned since
        await store.db.insertInto('agent_cost_days').values({ workspace_id: 'ws', automation_id: 'auto', day, cost_usd: 2, tokens: 550, calls: 5 }).execute();
        // a day fully in the ledger leaves nothing unattributed
        await store.db.insertInto('agent_calls').values({ ...call(4, 'p:a', 0.125), created_at: at + DAY_MS }).execute();
        await store.db.insertInto('agent_cost_days').values({ workspace_id: 'ws', automation_id: 'auto', day: day + 1, cost_usd: 0.125, tokens: 110, calls: 1 }).execute();

        assert.deepEqual(await migrate(store.db, store.dialect), MIGRATIONS.slice(index).map((m) => m.id));
        const rows = await store.db.selectFrom('agent_cost_model_days').selectAll().orderBy('day').orderBy('model').execute();
        assert.deepEqual(
          rows.map((r) => [Number(r.day), r.model, Number(r.cost_usd), Number(r.tokens), Number(r.calls)]),
          [
            [day, '', 1, 220, 2],
            [day, 'p:a', 0.5, 220, 2],
            [day, 'p:b', 0.5, 110, 1],
            [day + 1, 'p:a', 0.125, 110, 1],
          ],
        );
      } finally {
        await store.close();
        await pg?.drop();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
}
