/**
 * `POST /api/v1/runs/bulk` on both databases: retry every failed run of a filter in batches (the
 * cursor loop ends, nothing twice, nothing the loop itself started), cancel by id (queued, waiting,
 * running, ended), the single actions' rules (not failed, paused automation), and 400s with paths.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActionDefinition } from '../../src/actions/types.js';
import { createClient, RotaApiError, type BulkRunsResult, type RotaClient } from '../../src/client/index.js';
import { NonRetriableError } from '../../src/errors.js';
import { DIALECTS, eventually } from '../support/node.js';
import { apiClient, createGateAction, startTestServer, type TestServer } from './harness.js';

/** Fails with the text of its `message`: a failed run without any network or process. */
const failAction: ActionDefinition<{ message: string }, never> = {
  type: 'fail',
  description: 'test: fails with the given message',
  configSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'], additionalProperties: false },
  handler: (ctx) => {
    throw new NonRetriableError(ctx.config.message, { code: 'x_test_failure' });
  },
};

const failing = (name: string, message = 'quota exceeded for tenant acme') => ({ name, steps: [{ id: 'work', action: 'fail', with: { message } }] });

async function settled(client: RotaClient, automation: string, n: number, status = 'failed'): Promise<void> {
  await eventually(async () => ((await client.runs.list({ automation, status, limit: 1 })).total === n ? true : undefined), 20_000, `${n} ${status} runs of ${automation}`);
}

for (const dialect of DIALECTS) {
  describe(`api: bulk run actions (${dialect})`, () => {
    let server: TestServer;
    let client: RotaClient;
    const gate = createGateAction();

    before(async () => {
      server = await startTestServer({ dialect, actions: [failAction as ActionDefinition, gate.action] });
      client = createClient({ url: server.url, token: server.adminToken });
    });
    after(async () => server?.close());

    test('retry every failed run of a filter, 50 per call: three calls, each run once, and not the retries the loop started', async () => {
      await client.automations.apply('flaky', failing('flaky'));
      await client.automations.apply('steady', { name: 'steady', steps: [{ id: 'a', action: 'set', with: { v: 1 } }] });
      const originals = new Set<string>();
      for (let i = 0; i < 120; i++) originals.add((await client.automations.run('flaky', { inputs: {} })).run.id);
      await client.automations.run('steady', { wait: '5s' });
      await settled(client, 'flaky', 120);

      const batches: BulkRunsResult[] = [];
      let cursor: string | null = null;
      do {
        const batch: BulkRunsResult = await client.runs.bulk({ action: 'retry', filter: { automation: 'flaky', status: 'failed' }, cursor, limit: 50 });
        batches.push(batch);
        cursor = batch.next_cursor;
        assert.ok(batches.length <= 3, 'the loop ends');
      } while (cursor);
      assert.deepEqual(batches.map((b) => [b.results.length, b.done, b.skipped, b.remaining]), [[50, 50, 0, 70], [50, 50, 0, 20], [20, 20, 0, 0]]);
      const handled = batches.flatMap((b) => b.results);
      assert.deepEqual(new Set(handled.map((r) => r.id)), originals, 'every original failed run, and only those');
      assert.ok(handled.every((r) => r.outcome === 'done' && r.retry_run_id && !originals.has(r.retry_run_id) && r.automation === 'flaky'));
      // newest first: the keyset order of the list
      const ids = handled.map((r) => r.id);
      assert.deepEqual(ids, [...ids].sort().reverse());

      // the retries ran (and failed again, the action always fails); each points at its original
      await settled(client, 'flaky', 240);
      const retries = new Map<string, string>();
      for (const r of handled) retries.set(r.retry_run_id!, r.id);
      for (const id of [...retries.keys()].slice(0, 10)) assert.equal((await client.runs.get(id)).retry_of, retries.get(id));

      // again: the originals were retried already; the retries (failed, not retried yet) are retried now
      const again = await client.runs.bulk({ action: 'retry', filter: { automation: 'flaky', status: 'failed' }, limit: 500 });
      assert.equal(again.next_cursor, null);
      const skipped = again.results.filter((r) => r.outcome === 'skipped');
      assert.equal(skipped.length, 120);
      assert.ok(skipped.every((r) => r.reason === 'already_retried' && originals.has(r.id) && r.retry_run_id === handled.find((h) => h.id === r.id)!.retry_run_id));
      assert.deepEqual(new Set(again.results.filter((r) => r.outcome === 'done').map((r) => r.id)), new Set(retries.keys()));
      await settled(client, 'flaky', 360);
    });

    test('by id: cancel ends queued and waiting runs, asks a running one, skips an ended one; unknown ids are not found', async () => {
      await client.automations.apply('sleepy', { name: 'sleepy', steps: [{ id: 'nap', action: 'sleep', with: { duration: '1h' } }] });
      const waiting = (await client.automations.run('sleepy')).run.id;
      await eventually(async () => ((await client.runs.get(waiting)).status === 'waiting' ? true : undefined), 10_000, 'a waiting run');
      // one run holds the gate and the automation's only slot, so the next two stay queued; it is
      // canceled after them (ids in order), so its slot is not freed for them mid-call. (Queued behind
      // the waiting run, canceling that one first released the slot and the next run could start
      // before its own cancel: then it is "cancel requested", not canceled, as seen on PostgreSQL.)
      await client.automations.apply('gated', { name: 'gated', execution: { concurrency: 1 }, steps: [{ id: 'hold', action: 'gate', with: { key: `bulk-${dialect}` } }] });
      const running = (await client.automations.run('gated')).run.id;
      await eventually(async () => ((await client.runs.get(running)).status === 'running' ? true : undefined), 10_000, 'a running run');
      const queued = [(await client.automations.run('gated')).run.id, (await client.automations.run('gated')).run.id];
      const ended = (await client.automations.run('steady', { wait: '5s' })).run.id;
      for (const id of queued) assert.equal((await client.runs.get(id)).status, 'queued');

      const result = await client.runs.bulk({ action: 'cancel', ids: [waiting, ...queued, running, ended, '01JNOSUCHRUN0000000000000Z', waiting] });
      const by = new Map(result.results.map((r) => [r.id, r]));
      assert.equal(result.results.length, 6, 'a repeated id counts once');
      for (const id of [waiting, ...queued]) assert.deepEqual([by.get(id)!.outcome, by.get(id)!.status], ['done', 'canceled']);
      assert.equal(by.get(running)!.outcome, 'done');
      assert.match(by.get(running)!.message, /cancel requested/);
      assert.deepEqual([by.get(ended)!.outcome, by.get(ended)!.reason, by.get(ended)!.status], ['skipped', 'already_ended', 'succeeded']);
      assert.deepEqual([by.get('01JNOSUCHRUN0000000000000Z')!.reason, by.get('01JNOSUCHRUN0000000000000Z')!.automation], ['not_found', null]);
      assert.deepEqual([result.done, result.skipped, result.next_cursor, result.remaining], [4, 2, null, 0]);
      for (const id of [waiting, ...queued]) assert.equal((await client.runs.get(id)).status, 'canceled');
      await eventually(async () => ((await client.runs.get(running)).status === 'canceled' ? true : undefined), 10_000, 'the running run canceled');
    });

    test('retry keeps the single retry\'s rules: only failed runs, not of a paused or archived automation, not another workspace\'s', async () => {
      await client.automations.apply('halted', failing('halted', 'boom'));
      const failed = (await client.automations.run('halted', { wait: '5s' })).run;
      assert.equal(failed.status, 'failed');
      const ok = (await client.automations.run('steady', { wait: '5s' })).run;
      await client.automations.pause('halted');
      const paused = await client.runs.bulk({ action: 'retry', ids: [failed.id, ok.id] });
      assert.deepEqual(paused.results.map((r) => [r.id, r.outcome, r.reason]), [[failed.id, 'skipped', 'automation_paused'], [ok.id, 'skipped', 'not_failed']]);
      assert.match(paused.results[0]!.message, /paused/);
      assert.match(paused.results[1]!.message, /only failed, timed_out or canceled runs can be retried/);
      // the single retry answers the same with a 409
      await assert.rejects(client.runs.retry(failed.id), (err: unknown) => err instanceof RotaApiError && err.status === 409);
      await client.automations.archive('halted');
      assert.equal((await client.runs.bulk({ action: 'retry', ids: [failed.id] })).results[0]!.reason, 'automation_paused');
      await client.automations.unarchive('halted');
      await client.automations.resume('halted');
      const resumed = await client.runs.bulk({ action: 'retry', ids: [failed.id] });
      assert.equal(resumed.results[0]!.outcome, 'done');

      await client.workspaces.create('elsewhere');
      const other = createClient({ url: server.url, token: server.adminToken, workspace: 'elsewhere' });
      const foreign = await other.runs.bulk({ action: 'cancel', ids: [failed.id] });
      assert.deepEqual(foreign.results.map((r) => r.reason), ['not_found']);
      const none = await other.runs.bulk({ action: 'retry', filter: {} });
      assert.deepEqual([none.results.length, none.next_cursor, none.remaining], [0, null, 0]);
    });

    test('the error-text filter ignores case and matches % and _ literally, in the list and in a bulk action', async () => {
      await client.automations.apply('percent', failing('percent', 'disk 100% full on /var_log'));
      await client.automations.apply('plain', failing('plain', 'disk 1000 full on /varXlog'));
      await client.automations.run('percent', { wait: '5s' });
      await client.automations.run('plain', { wait: '5s' });
      const list = await client.runs.list({ q: '100% full on /var_' });
      assert.deepEqual(list.items.map((r) => r.automation), ['percent']);
      assert.equal(list.total, 1);
      // case does not matter, on either database
      assert.deepEqual((await client.runs.list({ q: 'DISK 100% FULL' })).items.map((r) => r.automation), ['percent']);
      const bulk = await client.runs.bulk({ action: 'cancel', filter: { q: '0% full on /var_l' } });
      assert.deepEqual(bulk.results.map((r) => [r.automation, r.reason]), [['percent', 'already_ended']]);
    });

    test('bad requests are 400 with the path; a read-only token is refused', async () => {
      const api = apiClient(server.url, server.adminToken);
      const cases: [unknown, string][] = [
        [{ action: 'retry' }, '$.ids'],
        [{ action: 'retry', ids: ['01JNOSUCHRUN0000000000000Z'], filter: {} }, '$.ids'],
        [{ action: 'pause', ids: ['01JNOSUCHRUN0000000000000Z'] }, '$.action'],
        [{ action: 'cancel', ids: [] }, '$.ids'],
        [{ action: 'cancel', ids: Array.from({ length: 501 }, (_, i) => `run${i}`) }, '$.ids'],
        [{ action: 'cancel', ids: ['no spaces'] }, '$.ids[0]'],
        [{ action: 'cancel', ids: ['01JNOSUCHRUN0000000000000Z'], limit: 5 }, '$.limit'],
        [{ action: 'cancel', filter: { status: ['done'] } }, '$.filter.status[0]'],
        [{ action: 'cancel', filter: { since: 'yesterday' } }, '$.filter.since'],
        [{ action: 'cancel', filter: { colour: 'red' } }, '$.filter'],
        [{ action: 'cancel', filter: {}, cursor: 'not-a-cursor' }, '$.cursor'],
        [{ action: 'cancel', filter: {}, limit: 501 }, '$.limit'],
      ];
      for (const [body, path] of cases) {
        const res = await api('POST', '/api/v1/runs/bulk', { json: body });
        assert.equal(res.status, 400, `${JSON.stringify(body).slice(0, 80)}: ${res.text}`);
        assert.equal(res.body.error.code, 'invalid_request');
        assert.ok(res.body.error.details.some((d: { path: string }) => d.path === path), `${JSON.stringify(body).slice(0, 80)} names ${path}: ${JSON.stringify(res.body.error.details)}`);
      }
      const reader = await client.tokens.create('reader', ['runs:read']);
      const readOnly = createClient({ url: server.url, token: reader.token });
      await assert.rejects(readOnly.runs.bulk({ action: 'cancel', filter: {} }), (err: unknown) => err instanceof RotaApiError && err.status === 403);
      const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as { paths: Record<string, Record<string, { operationId?: string }>> };
      assert.equal(doc.paths['/api/v1/runs/bulk']?.post?.operationId, 'bulkRuns');
    });
  });
}
