/**
 * The runs explorer in Chromium against a real `rota serve` (SQLite): filters in the URL, keyset
 * paging forward and back, failure reasons in the rows, bulk retry of every failed run a filter
 * matches (more than one batch), bulk cancel of selected runs, Compare from two selected rows, a
 * read-only token offered no write action, axe-core on the page with data (light, dark, narrow).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunView } from '../../src/client/index.js';
import { assertAxeClean, assertNoSidewaysScroll, launchBrowser, newPage, signIn, startWebServer, until, type WebServer } from './browser.js';

const SHOTS = process.env.ROTA_WEB_SHOTS;

/** Polls `check` until it returns something other than undefined (the page updates asynchronously). */

async function rowAttrs(page: Page, attr: string): Promise<string[]> {
  return page.getByTestId('run-row').evaluateAll(
    (rows, name) => rows.map((row) => (row as unknown as { getAttribute(n: string): string | null }).getAttribute(name) ?? ''),
    attr,
  );
}

const rowIds = (page: Page) => rowAttrs(page, 'data-run-id');

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `runs-${name}.png`), fullPage: true });
}

async function pick(page: Page, label: string, option: string): Promise<void> {
  await page.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
  await page.keyboard.press('Escape');
}

async function allRuns(server: WebServer, automation: string): Promise<RunView[]> {
  const out: RunView[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: RunView[]; next_cursor: string | null } = await server.client.runs.list({ automation, cursor, limit: 200 });
    out.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}

async function settled(server: WebServer, automation: string, status: string, n: number): Promise<void> {
  await until(`${n} ${status} runs of ${automation}`, async () => ((await server.client.runs.list({ automation, status, limit: 1 })).total === n ? true : undefined), 30_000);
}

describe('web UI: the runs explorer', () => {
  let browser: Browser;
  let server: WebServer;
  const sleepers: string[] = [];

  before(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startWebServer('sqlite', { config: 'shell:\n  enabled: true\nretention:\n  max_runs: 0\n' })]);
    const { client } = server;
    await client.automations.apply('hello', { name: 'hello', steps: [{ id: 'greet', action: 'set', with: { text: 'hi' } }] });
    await client.automations.apply('nightly-etl', {
      name: 'nightly-etl',
      inputs: { type: 'object', properties: { mode: { type: 'string', default: 'ok' } } },
      steps: [
        {
          id: 'extract',
          action: 'shell',
          with: { command: ['sh', '-c', 'if [ "$MODE" = fail ]; then echo "upstream quota exceeded for tenant acme" >&2; exit 1; fi; echo ok'], env: { MODE: '{{ inputs.mode }}' } },
        },
      ],
    });
    // fails at once: the http action refuses loopback addresses (ssrf_blocked), no process, no retry
    await client.automations.apply('bulk-fail', { name: 'bulk-fail', steps: [{ id: 'call', action: 'http', with: { method: 'GET', url: 'http://127.0.0.1:9/never' } }] });
    await client.automations.apply('sleeper', { name: 'sleeper', execution: { concurrency: 1 }, steps: [{ id: 'nap', action: 'sleep', with: { duration: '1h' } }] });
    for (let i = 0; i < 120; i++) await client.automations.run('bulk-fail');
    for (const mode of ['ok', 'fail', 'ok', 'fail']) await client.automations.run('nightly-etl', { inputs: { mode }, wait: '10s' });
    for (let i = 0; i < 3; i++) await client.automations.run('hello', { wait: '5s' });
    for (let i = 0; i < 3; i++) sleepers.push((await client.automations.run('sleeper')).run.id);
    await settled(server, 'bulk-fail', 'failed', 120);
    await settled(server, 'sleeper', 'waiting', 1);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('lists the runs of every automation; status, automation and error-text filters live in the URL; failure reasons in the rows', async () => {
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/runs');
    await page.getByTestId('run-row').first().waitFor();
    const automations = new Set(await page.getByTestId('run-row').locator('a[href^="/automations/"]').allTextContents());
    for (const name of ['hello', 'nightly-etl', 'sleeper']) assert.ok(automations.has(name), `${name} is listed: ${[...automations].join(', ')}`);
    assert.match(await page.getByTestId('runs-range').textContent() ?? '', /1–50 of 130 runs · page 1/);

    await pick(page, 'Status', 'failed');
    await page.waitForURL(/[?&]status=failed/);
    await until('only failed runs', async () => {
      const statuses = await rowAttrs(page, 'data-status');
      return statuses.length > 0 && statuses.every((s) => s === 'failed') ? true : undefined;
    });
    await pick(page, 'Automation', 'nightly-etl');
    await page.waitForURL(/automation=nightly-etl/);
    await until('the 2 failed nightly-etl runs', async () => ((await rowIds(page)).length === 2 ? true : undefined));
    const failure = page.getByTestId('run-failure').first();
    assert.match(await failure.textContent() ?? '', /shell_failed.*in step extract.*upstream quota exceeded for tenant acme/s);

    await page.getByRole('textbox', { name: 'Error contains' }).fill('QUOTA exceeded');
    await page.waitForURL(/q=QUOTA/);
    await until('the error text filter', async () => ((await page.getByTestId('runs-range').textContent())?.includes('of 2 runs') ? true : undefined));
    await page.getByRole('textbox', { name: 'Error contains' }).fill('no such failure');
    await until('no match', async () => ((await page.getByText('No run matches these filters').count()) === 1 ? true : undefined));

    // a time window: relative in the URL; an absolute one through From/To
    await page.getByRole('textbox', { name: 'Error contains' }).fill('quota');
    await pick(page, 'Queued', 'Last 24 hours');
    await page.waitForURL(/since=24h/);
    await until('2 runs of the last day', async () => ((await page.getByTestId('runs-range').textContent())?.includes('of 2 runs') ? true : undefined));
    await pick(page, 'Queued', 'Between…');
    await page.getByRole('textbox', { name: 'To', exact: true }).fill('2020-01-01T00:00');
    await page.waitForURL(/until=2020-01-01T/);
    await until('nothing queued before 2020', async () => ((await page.getByText('No run matches these filters').count()) === 1 ? true : undefined));

    // a shared link restores the filters
    await page.goto(`${server.url}/runs?automation=nightly-etl&status=failed&q=quota`);
    await page.getByTestId('run-row').first().waitFor();
    assert.equal((await rowIds(page)).length, 2);
    assert.equal(await page.getByRole('combobox', { name: 'Automation', exact: true }).inputValue(), 'nightly-etl');
    assert.equal(await page.getByRole('textbox', { name: 'Error contains' }).inputValue(), 'quota');
    await assertAxeClean(page);
    await shot(page, 'filtered');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('pages forward and back through 3 pages by cursor: same order, no duplicates; a new filter starts at page 1', async () => {
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/runs?automation=bulk-fail');
    await page.getByTestId('run-row').first().waitFor();
    const next = page.getByTestId('runs-next-page');
    const prev = page.getByTestId('runs-prev-page');
    const range = page.getByTestId('runs-range');
    const pages: string[][] = [];
    for (const expected of ['1–50 of 120 runs · page 1', '51–100 of 120 runs · page 2', '101–120 of 120 runs · page 3']) {
      await until(expected, async () => ((await range.textContent()) === expected ? true : undefined));
      pages.push(await rowIds(page));
      if (pages.length === 1) await next.click();
      else if (pages.length === 2) {
        // by keyboard: a real button
        await next.focus();
        await page.keyboard.press('Enter');
      }
    }
    assert.deepEqual(pages.map((p) => p.length), [50, 50, 20]);
    assert.equal(await next.isDisabled(), true, 'no page after the last');
    const all = pages.flat();
    assert.equal(new Set(all).size, 120, 'no run twice');
    assert.deepEqual(all, [...all].sort().reverse(), 'newest first across pages');
    assert.deepEqual(all, (await allRuns(server, 'bulk-fail')).map((r) => r.id), 'the same runs, in the order of the API');
    await prev.click();
    await until('page 2 again', async () => ((await range.textContent()) === '51–100 of 120 runs · page 2' ? true : undefined));
    assert.deepEqual(await rowIds(page), pages[1]);
    await prev.click();
    await until('page 1 again', async () => ((await range.textContent()) === '1–50 of 120 runs · page 1' ? true : undefined));
    assert.deepEqual(await rowIds(page), pages[0]);
    assert.equal(await prev.isDisabled(), true);

    await next.click();
    await until('page 2', async () => ((await range.textContent())?.endsWith('page 2') ? true : undefined));
    await pick(page, 'Status', 'failed');
    await until('page 1 of the new filter', async () => ((await range.textContent()) === '1–50 of 120 runs · page 1' ? true : undefined));
    assert.deepEqual(await rowIds(page), pages[0]);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('selecting two runs offers Compare, which opens both side by side', async () => {
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/runs?automation=nightly-etl');
    await page.getByTestId('run-row').first().waitFor();
    const [first, second] = await rowIds(page);
    await page.getByRole('checkbox', { name: `Select run ${first}` }).check();
    assert.equal(await page.getByRole('button', { name: 'Compare' }).count(), 0, 'Compare needs two runs');
    await page.getByRole('checkbox', { name: `Select run ${second}` }).check();
    assert.equal(await page.getByTestId('runs-selected').textContent(), '2 selected');
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.waitForURL((url) => url.pathname === '/compare' && url.searchParams.get('a') === first && url.searchParams.get('b') === second);
    await page.getByTestId('compare-run-a').waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('retries every failed run the filter matches, batch after batch with progress; the API shows each retried once', async () => {
    const originals = (await allRuns(server, 'bulk-fail')).map((r) => r.id);
    assert.equal(originals.length, 120);
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/runs?automation=bulk-fail&status=failed');
    await page.getByTestId('run-row').first().waitFor();
    await page.getByRole('button', { name: 'All 120 matching…' }).click();
    await page.getByRole('menuitem', { name: 'Retry all 120 matching' }).click();
    const dialog = page.getByRole('dialog', { name: 'Retry runs' });
    assert.match(await dialog.textContent() ?? '', /automation bulk-fail, status failed/);
    await dialog.getByRole('button', { name: 'Retry all 120 runs' }).click();
    const summary = dialog.getByTestId('bulk-summary');
    await summary.waitFor({ timeout: 60_000 });
    assert.equal((await summary.textContent())?.trim(), 'Retried 120 runs.');
    assert.match(await dialog.getByTestId('bulk-progress').textContent() ?? '', /120 of 120 runs handled · 120 retried · 0 skipped/);
    await shot(page, 'bulk-done');
    await dialog.getByRole('button', { name: 'Close' }).click();

    const runs = await allRuns(server, 'bulk-fail');
    const retries = runs.filter((r) => r.retry_of !== null);
    assert.equal(retries.length, 120, 'one retry per failed run, no more');
    assert.deepEqual(new Set(retries.map((r) => r.retry_of)), new Set(originals));
    // the list shows them: 240 runs of bulk-fail now (the retries fail again)
    await settled(server, 'bulk-fail', 'failed', 240);
    await until('the list refreshed', async () => ((await page.getByTestId('runs-range').textContent())?.includes('of 240 runs') ? true : undefined), 20_000);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('cancels the selected queued and waiting runs', async () => {
    const before = await Promise.all(sleepers.map((id) => server.client.runs.get(id)));
    assert.deepEqual(before.map((r) => r.status).sort(), ['queued', 'queued', 'waiting']);
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/runs?automation=sleeper');
    await page.getByTestId('run-row').first().waitFor();
    for (const id of sleepers.slice(1)) await page.getByRole('checkbox', { name: `Select run ${id}` }).check();
    // by keyboard: focus the checkbox, Space ticks it; the button opens the dialog with Enter
    await page.getByRole('checkbox', { name: `Select run ${sleepers[0]}` }).focus();
    await page.keyboard.press('Space');
    await until('3 selected', async () => ((await page.getByTestId('runs-selected').textContent()) === '3 selected' ? true : undefined));
    await page.getByRole('button', { name: 'Cancel selected' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Cancel runs' });
    await dialog.getByRole('button', { name: 'Cancel 3 runs' }).click();
    await dialog.getByTestId('bulk-summary').waitFor();
    assert.equal((await dialog.getByTestId('bulk-summary').textContent())?.trim(), 'Canceled 3 runs.');
    await dialog.getByRole('button', { name: 'Close' }).click();
    const afterwards = await Promise.all(sleepers.map((id) => server.client.runs.get(id)));
    assert.deepEqual(afterwards.map((r) => r.status), ['canceled', 'canceled', 'canceled']);
    await until('the rows say canceled', async () => ((await rowAttrs(page, 'data-status')).every((s) => s === 'canceled') ? true : undefined));
    assert.equal(await page.getByTestId('runs-selected').textContent(), 'Select runs to compare, cancel or retry them', 'the selection is cleared');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a read-only token can filter, page and compare, and is offered no cancel or retry', async () => {
    const reader = await server.client.tokens.create('reader', ['runs:read', 'automations:read']);
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, reader.token, '/runs?automation=nightly-etl');
    await page.getByTestId('run-row').first().waitFor();
    const [first, second] = await rowIds(page);
    await page.getByRole('checkbox', { name: `Select run ${first}` }).check();
    await page.getByRole('checkbox', { name: `Select run ${second}` }).check();
    assert.equal(await page.getByRole('button', { name: 'Compare' }).count(), 1);
    for (const name of ['Cancel selected', 'Retry selected', /matching…$/]) assert.equal(await page.getByRole('button', { name }).count(), 0, `no ${String(name)}`);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('dark theme and a narrow window: readable, the table scrolls inside its box, no axe violation', async () => {
    for (const options of [{ colorScheme: 'dark' as const }, { width: 420, height: 860 }]) {
      const { context, page, errors } = await newPage(browser, options);
      await signIn(page, server.url, server.token, '/runs');
      await page.getByTestId('run-row').first().waitFor();
      await page.getByRole('checkbox', { name: /^Select run / }).first().check();
      await assertAxeClean(page);
      // nothing makes the page itself wider than the window: the table scrolls in its container
      await assertNoSidewaysScroll(page);
      await shot(page, options.colorScheme ?? `narrow-${options.width}`);
      assert.deepEqual(errors, []);
      await context.close();
    }
  });
});
