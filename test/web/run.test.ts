/**
 * The run detail page in Chromium against a real `rota serve` (SQLite): live progress over SSE
 * without a reload, pause, retry, approve, cancel, pin, replay with edited inputs, report
 * download, an agent step's conversation (LLM stand-in) with its tool approval, a 500-step run,
 * scopes, and axe on each state with data.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunView } from '../../src/client/index.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';
import { assertAxeClean, assertNoSidewaysScroll, launchBrowser, openSignedIn, startWebServer, type WebServer } from './browser.js';
import {
  createAgentRun,
  createApprovalRun,
  createFailedRun,
  createLongRun,
  createManyStepRun,
  standInConfig,
  waitForRun,
} from './run-fixtures.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('web UI: run detail', () => {
  let browser: Browser;
  let server: WebServer;
  let llm: StandIn;

  before(async () => {
    llm = await startStandIn();
    [browser, server] = await Promise.all([launchBrowser(), startWebServer('sqlite', { config: standInConfig(llm.openaiBaseUrl) })]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await llm?.close();
  });

  /** A page signed in with `token` (stored as the sign-in form stores it) showing `path`. */
  const open = (path: string, options: Parameters<typeof openSignedIn>[4] & { token?: string } = {}) => openSignedIn(browser, server.url, options.token ?? server.token, path, options);

  const runStatus = (page: Page, status: string) => page.locator(`h1 [data-status="${status}"]`);


  /** Marks the document, so a later check can tell that no reload or full navigation happened. */
  async function markDocument(page: Page): Promise<void> {
    await page.evaluate(() => {
      (globalThis as unknown as { rotaTestMark: string }).rotaTestMark = 'same document';
    });
  }
  async function sameDocument(page: Page): Promise<boolean> {
    return page.evaluate(() => (globalThis as unknown as { rotaTestMark?: string }).rotaTestMark === 'same document');
  }

  async function decidePending(runId: string, decision: 'approve' | 'reject' = 'approve') {
    const pending = await server.client.approvals.list({ run_id: runId, state: 'pending' });
    assert.equal(pending.items.length, 1, JSON.stringify(pending.items));
    await server.client.approvals.decide(pending.items[0].id, decision, { comment: 'from the test' });
  }

  test('a waiting run is watched live until it ends, without a reload: waits get their own bars', async () => {
    const { client } = server;
    await client.automations.apply('live-watch', {
      name: 'live-watch',
      steps: [
        { id: 'prepare', action: 'set', with: { phase: 'before' } },
        { id: 'confirm', action: 'approval', with: { message: 'Go on?' } },
        { id: 'nap', action: 'sleep', with: { duration: '1500ms' } },
        { id: 'finish', action: 'set', with: { phase: 'after' } },
      ],
    });
    const { run } = await client.automations.run('live-watch', {});
    await waitForRun(client, run.id, (r) => r.status === 'waiting');
    const { context, page, errors } = await open(`/runs/${run.id}`);
    await runStatus(page, 'waiting').waitFor();
    await page.locator('[data-live="live"]').waitFor();
    await markDocument(page);
    const url = page.url();

    await decidePending(run.id);
    // the sleep after the approval shows up live as its own wait…
    await page.locator('[data-step="nap"] .rota-tl-bar[data-kind="wait"][data-waiting="sleep"]').waitFor({ timeout: 15_000 });
    // …and the run ends on the page by itself
    await runStatus(page, 'succeeded').waitFor({ timeout: 15_000 });
    assert.equal((await client.runs.get(run.id)).status, 'succeeded');
    assert.ok(await sameDocument(page), 'the page was reloaded');
    assert.equal(page.url(), url);
    assert.equal(await page.locator('[data-step="confirm"] .rota-tl-bar[data-kind="wait"][data-waiting="approval"]').count(), 1);
    assert.equal(await page.locator('[data-step="finish"] [data-status="succeeded"]').count(), 1);
    // the live control goes once the run has ended
    await page.getByLabel('Pause live updates').waitFor({ state: 'detached' });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('"Pause live updates" stops the page from following the run; unpausing catches up', async () => {
    const run = await createApprovalRun(server.client, 'pause');
    const { context, page, errors } = await open(`/runs/${run.id}`);
    await page.locator('[data-live="live"]').waitFor();
    await page.getByLabel('Pause live updates').check();
    await page.locator('[data-live="paused"]').waitFor();
    await decidePending(run.id);
    await waitForRun(server.client, run.id);
    // longer than the page's refresh throttle: a live page would have shown the end by now
    await sleep(1_500);
    assert.equal(await runStatus(page, 'waiting').count(), 1, 'a paused page changed');
    // (a click, not uncheck(): the switch goes away as the run is seen to have ended)
    await page.getByLabel('Pause live updates').click();
    await runStatus(page, 'succeeded').waitFor({ timeout: 10_000 });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a failed run shows its error and is retried from its page, landing on the new run', async () => {
    const failed = await createFailedRun(server.client, 'retry');
    assert.equal(failed.status, 'failed');
    const { context, page, errors } = await open(`/runs/${failed.id}`);
    await runStatus(page, 'failed').waitFor();
    // the failed step is the one selected, its error shown
    await page.getByRole('article', { name: 'Step use' }).getByText('template_unresolved', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Retry' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/runs/') && !u.pathname.endsWith(failed.id));
    const newId = new URL(page.url()).pathname.split('/').pop()!;
    const retried = await server.client.runs.get(newId);
    assert.equal(retried.retry_of, failed.id);
    // exact: a reused step's panel also links its run ("run <id>")
    await page.getByRole('link', { name: failed.id, exact: true }).waitFor();
    await assertAxeClean(page, 'retried run');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('approve from the run page (with a comment) resumes the run', async () => {
    const run = await createApprovalRun(server.client, 'approve');
    const { context, page, errors } = await open(`/runs/${run.id}`);
    const card = page.getByRole('region', { name: 'Approval: Refund 42 EUR?' });
    await card.waitFor();
    await card.getByText('"amount": 42').waitFor();
    await assertAxeClean(page, 'run waiting for an approval');
    await card.getByLabel('Comment').fill('looks right');
    await card.getByRole('button', { name: 'Approve' }).click();
    const ended = await waitForRun(server.client, run.id);
    assert.equal(ended.status, 'succeeded');
    const pay = ended.steps!.find((s) => s.id === 'pay')!;
    assert.deepEqual(pay.output, { paid: true });
    const [approval] = (await server.client.approvals.list({ run_id: run.id })).items;
    assert.equal(approval.state, 'approved');
    assert.equal(approval.comment, 'looks right');
    await runStatus(page, 'succeeded').waitFor({ timeout: 10_000 });
    await card.waitFor({ state: 'detached' });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('cancel asks first, then ends the run canceled', async () => {
    const run = await createLongRun(server.client, 'cancel');
    const { context, page, errors } = await open(`/runs/${run.id}`);
    await page.getByRole('button', { name: 'Cancel run' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this run?' });
    await dialog.waitFor();
    await assertAxeClean(page, 'cancel dialog');
    await dialog.getByRole('button', { name: 'Cancel the run' }).click();
    await runStatus(page, 'canceled').waitFor({ timeout: 10_000 });
    assert.equal((await server.client.runs.get(run.id)).status, 'canceled');
    assert.equal(await page.getByRole('button', { name: 'Cancel run' }).count(), 0);
    await page.getByRole('button', { name: 'Retry' }).waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('pin and unpin', async () => {
    const run = await createFailedRun(server.client, 'pin');
    const { context, page, errors } = await open(`/runs/${run.id}`);
    await page.getByRole('button', { name: 'Pin', exact: true }).click();
    await page.getByRole('button', { name: 'Unpin' }).waitFor();
    assert.equal((await server.client.runs.get(run.id)).pinned, true);
    await page.getByRole('button', { name: 'Unpin' }).click();
    await page.getByRole('button', { name: 'Pin', exact: true }).waitFor();
    assert.equal((await server.client.runs.get(run.id)).pinned, false);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('replay with edited inputs: bad JSON and refused inputs are shown, the new run has the edit', async () => {
    const failed = await createFailedRun(server.client, 'replay');
    const { context, page, errors } = await open(`/runs/${failed.id}`);
    await page.getByRole('button', { name: 'Replay…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replay with edited inputs' });
    const editor = dialog.getByLabel('Inputs (JSON)');
    assert.match(await editor.inputValue(), /"note": "n\/a"/);
    await editor.fill('{"region": ');
    await dialog.getByRole('button', { name: 'Start replay' }).click();
    await dialog.getByText(/Not valid JSON/).first().waitFor();
    // valid JSON that the inputs schema refuses: the API's message and the path
    await editor.fill('{"region": 5}');
    await dialog.getByRole('button', { name: 'Start replay' }).click();
    await dialog.getByRole('alert').getByText(/inputs do not match/).waitFor();
    await dialog.getByRole('alert').locator('code', { hasText: 'region' }).waitFor();
    await assertAxeClean(page, 'replay dialog with an error');
    await editor.fill('{"region": "eu-west", "note": "edited"}');
    await dialog.getByRole('button', { name: 'Start replay' }).click();
    await page.waitForURL((u) => u.pathname.startsWith('/runs/') && !u.pathname.endsWith(failed.id));
    const newId = new URL(page.url()).pathname.split('/').pop()!;
    const replayed = await waitForRun(server.client, newId);
    assert.equal(replayed.replay_of, failed.id);
    assert.deepEqual(replayed.inputs, { region: 'eu-west', note: 'edited' });
    assert.equal(replayed.status, 'succeeded');
    await runStatus(page, 'succeeded').waitFor({ timeout: 10_000 });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the report downloads as Markdown and as JSON', async () => {
    const run = await createFailedRun(server.client, 'report');
    const { context, page, errors } = await open(`/runs/${run.id}`);
    for (const [item, name] of [
      [/Markdown/, `run-${run.id}.md`],
      [/JSON/, `run-${run.id}.json`],
    ] as const) {
      await page.getByRole('button', { name: 'Report' }).click();
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: item }).click()]);
      assert.equal(download.suggestedFilename(), name);
      const text = readFileSync(await download.path(), 'utf8');
      assert.ok(text.includes(run.id), text.slice(0, 200));
      if (name.endsWith('.json')) assert.equal((JSON.parse(text) as { run: RunView }).run.status, 'failed');
      else assert.match(text, /template_unresolved/);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('an agent step: its tool approval inline with the exact arguments, then the conversation with tokens, cost and artifacts', async () => {
    const answer = '{"label":"bug"}';
    llm.script([
      { toolCalls: [{ name: 'emit_event', arguments: { name: 'ticket.classified', data: { label: 'bug', ticket: 7 } } }], usage: { input: 120, output: 15 } },
      { text: answer, usage: { input: 200, output: 8 } },
    ]);
    const run = await createAgentRun(server.client, 'conversation');
    assert.equal(run.status, 'waiting', JSON.stringify(run.error));
    const { context, page, errors } = await open(`/runs/${run.id}`);
    const conversation = page.getByRole('region', { name: 'Conversation' });
    const approval = conversation.getByRole('region', { name: /wants to call emit_event/ });
    await approval.waitFor();
    await approval.getByText('"ticket.classified"').waitFor();
    await approval.getByText('"ticket": 7').waitFor();
    // shown once, in the conversation: not again above the tabs
    assert.equal(await page.getByRole('region', { name: /wants to call emit_event/ }).count(), 1);
    await assertAxeClean(page, 'agent step waiting for a tool approval');
    await approval.getByRole('button', { name: 'Approve' }).click();
    await runStatus(page, 'succeeded').waitFor({ timeout: 15_000 });

    const totals = conversation.getByLabel('Conversation totals');
    await totals.getByText('2', { exact: true }).first().waitFor({ timeout: 10_000 });
    const text = await totals.innerText();
    assert.match(text, /2\s*model calls/);
    assert.match(text, /1\s*tool calls/);
    assert.match(text, /320\s*input tokens/);
    assert.match(text, /23\s*output tokens/);
    // (320 × $1000 + 23 × $2000) per million tokens
    assert.match(text, /\$0\.37\s*cost/);
    const calls = conversation.getByRole('list', { name: 'Calls' });
    assert.equal(await calls.locator('[data-call]').count(), 3);
    await calls.locator('[data-call="1"]').getByText('approved').waitFor();
    const sha = createHash('sha256').update(answer).digest('hex');
    await conversation.getByText(`${sha.slice(0, 16)}…`).waitFor();
    await page.getByRole('tab', { name: /Artifacts/ }).click();
    await page.getByText(sha, { exact: true }).waitFor();
    await assertAxeClean(page, 'artifacts tab');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a 500-step run renders virtualized; the last step is reached by scrolling and selected', async () => {
    const run = await createManyStepRun(server.client);
    assert.equal(run.status, 'succeeded');
    assert.equal(run.steps!.length, 500);
    const { context, page, errors } = await open(`/runs/${run.id}`);
    const list = page.getByRole('list', { name: 'Steps (500)' });
    await list.waitFor();
    const rendered = await list.getByRole('listitem').count();
    assert.ok(rendered > 5 && rendered < 80, `${rendered} rows rendered of 500`);
    await page.locator('.rota-tl-scroll').evaluate((el: { scrollTop: number; scrollHeight: number }) => {
      el.scrollTop = el.scrollHeight;
    });
    await page.locator('[data-step="step-500"]').click();
    await page.waitForURL(/step=step-500/);
    const output = page.getByLabel('Output of step-500');
    await output.getByText('"index": 500').waitFor();
    // the keyboard moves the selection, and the focus with it
    await page.keyboard.press('ArrowUp');
    await page.waitForURL(/step=step-499/);
    await page.getByLabel('Output of step-499').getByText('"index": 499').waitFor();
    assert.equal(await page.locator('.rota-tl-row[aria-current]').getAttribute('data-step'), 'step-499');
    // and it looks selected (its box shadow marks it), the others do not
    const shadow = (step: string) =>
      page.locator(`[data-step="${step}"]`).evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { boxShadow: string } }).getComputedStyle(el).boxShadow);
    assert.notEqual(await shadow('step-499'), 'none');
    assert.equal(await shadow('step-500'), 'none');
    assert.equal(await page.locator('[data-step="step-499"]').evaluate((el) => el === (el as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement), true);
    await assertAxeClean(page, '500-step run');
    // the log's 1,003 entries are virtualized too
    await page.getByRole('tab', { name: /Events \(1003\)/ }).click();
    const log = page.getByRole('list', { name: 'Run log' });
    await log.waitFor();
    assert.ok((await log.getByRole('listitem').count()) < 100);
    await assertAxeClean(page, 'events tab');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('dark theme and a narrow window: no serious axe violation, nothing wider than the window', async () => {
    const run = await createApprovalRun(server.client, 'themes');
    for (const options of [{ colorScheme: 'dark' as const }, { width: 420, height: 800 }, { width: 420, height: 800, colorScheme: 'dark' as const }]) {
      const { context, page, errors } = await open(`/runs/${run.id}`, options);
      await page.getByRole('region', { name: 'Approval: Refund 42 EUR?' }).waitFor();
      await page.getByRole('list', { name: 'Steps (3)' }).waitFor();
      await assertAxeClean(page, JSON.stringify(options));
      await assertNoSidewaysScroll(page);
      assert.deepEqual(errors, []);
      await context.close();
    }
  });

  test('a token without runs:write and approvals:write sees no write action', async () => {
    const run = await createApprovalRun(server.client, 'viewer');
    const viewer = await server.client.tokens.create('viewer', ['runs:read', 'automations:read']);
    const { context, page, errors } = await open(`/runs/${run.id}`, { token: viewer.token });
    await runStatus(page, 'waiting').waitFor();
    await page.getByText('Deciding needs a token with the approvals:write scope.').waitFor();
    for (const name of ['Cancel run', 'Retry', 'Replay…', 'Pin', 'Approve', 'Reject']) {
      assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, name);
    }
    await page.getByRole('button', { name: 'Report' }).waitFor();
    await page.getByRole('link', { name: 'Compare with…' }).waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('an unknown run says so', async () => {
    const { context, page, errors } = await open('/runs/01JUNKNOWNRUNUNKNOWNRUN000');
    await page.getByRole('heading', { name: 'Run not found' }).waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a dropped stream is reopened from the last entry seen, and the page follows the run to its end', async () => {
    const run = await createApprovalRun(server.client, 'drop');
    // the first connection of the run's stream is reset; the next ones go through
    const streams: string[] = [];
    const { context, page, errors } = await open(`/runs/${run.id}`, {
      before: (p) =>
        p.route(`**/api/v1/runs/${run.id}/stream**`, async (route) => {
          streams.push(route.request().url());
          if (streams.length === 1) await route.abort('connectionreset');
          else await route.continue();
        }),
    });
    await page.locator('[data-live="live"]').waitFor({ timeout: 15_000 });
    assert.ok(streams.length >= 2, `${streams.length} stream connections`);
    const events = await server.client.runs.events(run.id);
    const after = new URL(streams[1]).searchParams.get('after');
    assert.equal(Number(after), events[events.length - 1].seq - 1, streams[1]);
    await markDocument(page);
    await decidePending(run.id);
    await runStatus(page, 'succeeded').waitFor({ timeout: 15_000 });
    assert.ok(await sameDocument(page));
    assert.deepEqual(errors, []);
    await context.close();
  });
});
