/**
 * The web UI end to end on PostgreSQL (each page's own file runs on SQLite): a real `rota serve` on
 * a fresh schema, real Chromium. Sign in; every page renders with data and passes axe; a run
 * started from the form is watched live to the end without a reload; an approval decided in the
 * inbox resumes its run; a failed run is retried from its page; bulk retry by filter; the compare
 * view; a read-only token sees no write action anywhere.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RotaClient, RunView } from '../../src/client/index.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';
import { assertAxeClean, launchBrowser, newPage, openSignedIn, startWebServer, type WebServer } from './browser.js';
import { createAgentRun, standInConfig, waitForRun } from './run-fixtures.js';

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'timed_out', 'skipped']);

async function failingRuns(client: RotaClient, name: string, count: number): Promise<RunView[]> {
  await client.automations.apply(name, { name, steps: [{ id: 'call', action: 'http', with: { method: 'GET', url: 'http://127.0.0.1:9/never' } }] });
  const runs: RunView[] = [];
  for (let i = 0; i < count; i++) runs.push((await client.automations.run(name, {})).run);
  return Promise.all(runs.map((r) => waitForRun(client, r.id)));
}

describe('web UI end to end on PostgreSQL', () => {
  let browser: Browser;
  let server: WebServer;
  let llm: StandIn;
  let viewerToken: string;
  let failed: RunView[];
  let succeeded: RunView;
  let agentRun: RunView;

  before(async () => {
    llm = await startStandIn();
    [browser, server] = await Promise.all([launchBrowser(), startWebServer('postgres', { config: standInConfig(llm.openaiBaseUrl) })]);
    const { client } = server;
    viewerToken = (await client.tokens.create('viewer', ['automations:read', 'runs:read'])).token;
    await client.automations.apply('greet', {
      name: 'greet',
      inputs: { type: 'object', properties: { who: { type: 'string', minLength: 1, description: 'whom to greet' } }, required: ['who'] },
      triggers: [{ id: 'daily', type: 'schedule', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' }],
      steps: [
        { id: 'nap', action: 'sleep', with: { duration: '1500ms' } },
        { id: 'hello', action: 'set', with: { greeting: 'hello {{ inputs.who }}' }, needs: ['nap'] },
      ],
    });
    succeeded = await waitForRun(client, (await client.automations.run('greet', { inputs: { who: 'Ada' } })).run.id);
    failed = await failingRuns(client, 'flaky', 3);
    await client.automations.apply('welcome', { name: 'welcome', triggers: [{ id: 'signup', type: 'event', name: 'user.signed_up' }], steps: [{ id: 'hi', action: 'set', with: { ok: true } }] });
    await client.events.emit('user.signed_up', { data: { user: 'u1' } });
    llm.script([{ toolCalls: [{ name: 'emit_event', arguments: { name: 'ticket.triaged', data: { label: 'bug' } } }], usage: { input: 300, output: 20 } }, { text: '{"label":"bug"}', usage: { input: 20, output: 3 } }]);
    agentRun = await createAgentRun(client, 'journey');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await llm?.close();
  });

  async function open(path: string, token = server.token): Promise<{ page: Page; errors: string[]; close(): Promise<void> }> {
    const { context, page, errors } = await openSignedIn(browser, server.url, token, path);
    return { page, errors, close: () => context.close() };
  }


  test('signs in through the form; every page renders with data and passes axe', async () => {
    const { context, page, errors } = await newPage(browser);
    await page.goto(`${server.url}/`);
    await page.getByLabel('Token').fill(server.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-automation="greet"]').getByTestId('run-strip').waitFor();
    await assertAxeClean(page, 'automations');
    const pages: [string, (p: Page) => Promise<unknown>][] = [
      ['/automations/greet', (p) => p.getByRole('tab', { name: /Overview/ }).waitFor()],
      ['/automations/greet?tab=triggers', (p) => p.locator('[data-trigger="daily"]').first().waitFor()],
      [`/runs`, (p) => p.getByTestId('run-row').first().waitFor()],
      [`/runs/${succeeded.id}`, (p) => p.locator('h1 [data-status="succeeded"]').waitFor()],
      [`/runs/${agentRun.id}?step=triage`, (p) => p.getByText('emit_event').first().waitFor()],
      [`/compare?a=${succeeded.id}&b=${failed[0]!.id}`, (p) => p.getByTestId('compare-run-b').waitFor()],
      ['/approvals', (p) => p.getByRole('heading', { name: /Approvals/ }).first().waitFor()],
      ['/costs', (p) => p.getByRole('link', { name: 'agent-journey' }).first().waitFor()],
      ['/events', (p) => p.getByText('user.signed_up').first().waitFor()],
    ];
    for (const [path, ready] of pages) {
      await page.goto(`${server.url}${path}`);
      await ready(page);
      await assertAxeClean(page, path);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a run started from the form is watched live to its end without a reload', async () => {
    const { page, errors, close } = await open('/automations/greet?tab=run');
    await page.getByLabel('who').fill('Grace');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/runs\/[0-9A-Z]{26}$/);
    await page.evaluate(() => {
      (globalThis as unknown as { rotaMark: string }).rotaMark = 'same document';
    });
    await page.locator('h1 [data-status="succeeded"]').waitFor({ timeout: 20_000 });
    assert.equal(await page.evaluate(() => (globalThis as unknown as { rotaMark?: string }).rotaMark), 'same document', 'the page was reloaded');
    const run = await server.client.runs.get(page.url().split('/').pop()!);
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(run.inputs, { who: 'Grace' });
    assert.deepEqual(errors, []);
    await close();
  });

  test('an approval decided in the inbox resumes its run', async () => {
    await server.client.automations.apply('refund', { name: 'refund', steps: [{ id: 'ok', action: 'approval', with: { message: 'Refund order 42?' } }, { id: 'pay', action: 'set', with: { paid: true }, needs: ['ok'] }] });
    const { run } = await server.client.automations.run('refund', {});
    await waitForRun(server.client, run.id, (r) => r.status === 'waiting');
    const { page, errors, close } = await open('/approvals');
    const card = page.getByRole('article', { name: 'Refund order 42?' });
    await card.getByLabel('Comment').fill('fine');
    await card.getByRole('button', { name: 'Approve', exact: true }).click();
    const done = await waitForRun(server.client, run.id);
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(errors, []);
    await close();
  });

  test('a failed run is retried from its page; bulk retry by filter retries every failed run of the filter', async () => {
    const { page, errors, close } = await open(`/runs/${failed[0]!.id}`);
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.waitForURL((url) => !url.pathname.endsWith(failed[0]!.id));
    const retried = await server.client.runs.get(page.url().split('/').pop()!.split('?')[0]!);
    assert.equal(retried.retry_of, failed[0]!.id);
    await waitForRun(server.client, retried.id);

    // the other two, and the retry that failed again: every failed run of flaky not yet retried
    await page.goto(`${server.url}/runs?automation=flaky&status=failed`);
    await page.getByTestId('run-row').first().waitFor();
    const matching = (await server.client.runs.list({ automation: 'flaky', status: 'failed' })).total;
    await page.getByRole('button', { name: `All ${matching} matching…` }).click();
    await page.getByRole('menuitem', { name: `Retry all ${matching} matching` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: `Retry all ${matching} runs` }).click();
    await dialog.getByTestId('bulk-summary').waitFor();
    const all = (await server.client.runs.list({ automation: 'flaky', limit: 200 })).items;
    for (const original of [failed[1]!, failed[2]!, retried]) assert.ok(all.some((r) => r.retry_of === original.id), `${original.id} was retried`);
    assert.equal(all.filter((r) => r.retry_of === failed[0]!.id).length, 1, 'the run retried from its page was not retried again');
    await Promise.all(all.filter((r) => !TERMINAL.has(r.status)).map((r) => waitForRun(server.client, r.id)));
    assert.deepEqual(errors, []);
    await close();
  });

  test('the compare view shows why one run failed and the other did not', async () => {
    const { page, errors, close } = await open(`/compare?a=${succeeded.id}&b=${failed[1]!.id}`);
    await page.getByTestId('compare-run-b').waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    assert.match(text, /succeeded/);
    assert.match(text, /failed/);
    assert.match(text, /call/, 'the step only the failed run ran');
    assert.match(text, /nap|hello/, 'the steps only the succeeded run ran');
    assert.deepEqual(errors, []);
    await close();
  });

  test('a read-only token sees no write action on any page', async () => {
    const { page, errors, close } = await open('/', viewerToken);
    const writes = /^(Pause|Resume|Start run|Run…|Cancel run|Retry|Replay…|Pin|Unpin|Approve|Reject|Abort…|Emit event|Retry selected|Cancel selected)$/;
    const paths: [string, (p: Page) => Promise<unknown>][] = [
      ['/', (p) => p.locator('[data-automation="greet"]').getByTestId('run-strip').waitFor()],
      ['/automations/greet', (p) => p.getByTestId('breaker-card').waitFor()],
      ['/automations/greet?tab=triggers', (p) => p.locator('[data-trigger="daily"]').first().waitFor()],
      ['/runs', (p) => p.getByTestId('run-row').first().waitFor()],
      [`/runs/${failed[2]!.id}`, (p) => p.locator('h1 [data-status="failed"]').waitFor()],
      [`/runs/${agentRun.id}?step=triage`, (p) => p.getByText('emit_event').first().waitFor()],
      ['/approvals', (p) => p.getByText('emit_event').first().waitFor()],
      ['/events', (p) => p.getByText('user.signed_up').first().waitFor()],
      ['/costs', (p) => p.getByRole('link', { name: 'agent-journey' }).first().waitFor()],
      [`/compare?a=${succeeded.id}&b=${failed[1]!.id}`, (p) => p.getByTestId('compare-run-b').waitFor()],
    ];
    for (const [path, ready] of paths) {
      await page.goto(`${server.url}${path}`);
      await ready(page);
      const buttons = await page.getByRole('button').allTextContents();
      const offered = buttons.map((b) => b.trim()).filter((b) => writes.test(b));
      assert.deepEqual(offered, [], `${path} offers ${offered.join(', ')} to a read-only token`);
      // trigger switches (the run page's "Pause live updates" switch is a reader's too)
      if (path.startsWith('/automations/')) assert.equal(await page.getByRole('switch').count(), 0, `${path} offers a trigger switch`);
      assert.equal(await page.getByRole('tab', { name: 'Run' }).count(), 0, `${path} offers the run form`);
    }
    assert.deepEqual(errors, []);
    await close();
  });
});
