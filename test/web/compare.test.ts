/**
 * Compare two runs in Chromium against a real `rota serve` (SQLite): the empty page says how,
 * pasted ids (or links) open the comparison, a failed and a succeeded run of one automation show
 * the differing inputs, the step that failed and its error, durations and cost; steps only one
 * version ran are marked; a missing run shows the API's error; axe-core on the page with data.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunView } from '../../src/client/index.js';
import { assertAxeClean, assertNoSidewaysScroll, launchBrowser, newPage, signIn, startWebServer, type WebServer } from './browser.js';

const SHOTS = process.env.ROTA_WEB_SHOTS;

async function shot(page: Page, name: string): Promise<void> {
  if (SHOTS) await page.screenshot({ path: join(SHOTS, `compare-${name}.png`), fullPage: true });
}

const report = (extra: object[] = []) => ({
  name: 'report',
  inputs: { type: 'object', properties: { mode: { type: 'string', default: 'ok' }, region: { type: 'string', default: 'eu' } } },
  steps: [
    { id: 'prepare', action: 'set', with: { region: '{{ inputs.region }}', mode: '{{ inputs.mode }}' } },
    {
      id: 'build',
      action: 'shell',
      with: { command: ['sh', '-c', 'if [ "$MODE" = fail ]; then echo "quota exceeded for tenant acme" >&2; exit 1; fi; echo "built $REGION"'], env: { MODE: '{{ inputs.mode }}', REGION: '{{ inputs.region }}' } },
    },
    { id: 'publish', action: 'set', with: { published: true } },
    ...extra,
  ],
});

describe('web UI: compare two runs', () => {
  let browser: Browser;
  let server: WebServer;
  let failed: RunView;
  let succeeded: RunView;
  let newer: RunView;

  before(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startWebServer('sqlite', { config: 'shell:\n  enabled: true\n' })]);
    const { client } = server;
    await client.automations.apply('report', report());
    failed = (await client.automations.run('report', { inputs: { mode: 'fail', region: 'eu' }, wait: '10s' })).run;
    succeeded = (await client.automations.run('report', { inputs: { mode: 'ok', region: 'us' }, wait: '10s' })).run;
    assert.deepEqual([failed.status, succeeded.status], ['failed', 'succeeded']);
    await client.automations.apply('report', report([{ id: 'notify', action: 'set', with: { sent: true } }]));
    newer = (await client.automations.run('report', { inputs: { mode: 'ok', region: 'us' }, wait: '10s' })).run;
    assert.deepEqual([newer.status, newer.version], ['succeeded', 2]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('an empty /compare says how to pick two runs', async () => {
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/compare');
    await page.getByText('Pick two runs to compare').waitFor();
    assert.equal(await page.getByRole('link', { name: 'runs explorer' }).getAttribute('href'), '/runs');
    assert.equal(await page.getByRole('button', { name: 'Compare' }).isDisabled(), true, 'nothing to compare yet');
    await assertAxeClean(page);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a failed and a succeeded run: the differing inputs, the step that failed with its error, durations and cost', async () => {
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/compare');
    await page.getByRole('textbox', { name: 'Run A' }).fill(failed.id);
    await page.getByRole('textbox', { name: 'Run B' }).fill(`${server.url}/runs/${succeeded.id}`); // a pasted link works too
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.waitForURL((url) => url.searchParams.get('a') === failed.id && url.searchParams.get('b') === succeeded.id);
    await page.getByTestId('compare-run-a').waitFor();

    // at a glance: why A failed and B did not
    const glance = await page.getByTestId('compare-glance').textContent();
    assert.match(glance ?? '', /A failed in step build: shell_failed, sh exited with code 1: quota exceeded for tenant acme\. B succeeded\./);
    assert.match(glance ?? '', /Inputs differ at mode, region\./);
    assert.match(glance ?? '', /Steps that differ: .*build \(failed \/ succeeded\)/);

    // inputs: both keys differ, with both values shown
    for (const [path, a, b] of [['mode', '"fail"', '"ok"'], ['region', '"eu"', '"us"']] as const) {
      const row = page.locator(`table[aria-label="Inputs of both runs"] tr[data-path="${path}"]`);
      assert.equal(await row.getAttribute('data-differs'), 'true', path);
      const cells = await row.locator('td').allTextContents();
      assert.deepEqual(cells.slice(1, 3), [a, b]);
      assert.match(cells[3]!, /differs/);
    }
    assert.equal(await page.getByTestId('compare-inputs-differences').textContent(), '2 differences');

    // steps aligned by id: prepare and build differ; build failed in A with its error
    const build = page.locator('[data-testid="compare-step"][data-step="build"]');
    assert.equal(await build.getAttribute('data-differs'), 'true');
    const buildCells = await build.locator('td').allTextContents();
    assert.match(buildCells[1]!, /failed/);
    assert.match(buildCells[2]!, /succeeded/);
    assert.deepEqual(await page.getByTestId('compare-step').evaluateAll((rows) => rows.map((r) => (r as unknown as { getAttribute(n: string): string | null }).getAttribute('data-step'))), ['prepare', 'build', 'publish']);
    const stepErrors = page.getByTestId('step-errors').first();
    assert.match(await stepErrors.textContent() ?? '', /A: error.*shell_failed.*quota exceeded for tenant acme.*B: error.*no error/s);

    // the run: status, duration and cost rows; the run's error on A's side only
    const field = (name: string) => page.locator(`table[aria-label="Both runs"] tr[data-field="${name}"]`);
    assert.equal(await field('Status').getAttribute('data-differs'), 'true');
    assert.match((await field('Status').locator('td').allTextContents()).join('|'), /failed\|succeeded/);
    for (const name of ['Duration', 'Cost']) {
      const cells = await field(name).locator('td').allTextContents();
      assert.ok(cells[0] && cells[1], `${name} of both runs: ${cells.join(' | ')}`);
    }
    assert.deepEqual((await field('Cost').locator('td').allTextContents()).slice(0, 2), ['$0', '$0']);
    assert.match((await field('Duration').locator('td').allTextContents())[0]!, /\d+(\.\d+)? (ms|s)/);
    assert.match(await page.getByTestId('compare-error-a').textContent() ?? '', /shell_failed.*in step build/s);
    assert.match(await page.getByTestId('compare-error-b').textContent() ?? '', /no error/);

    await assertAxeClean(page);
    await shot(page, 'light');

    // swapping A and B swaps the URL
    await page.getByRole('button', { name: 'Swap A and B' }).click();
    await page.waitForURL((url) => url.searchParams.get('a') === succeeded.id && url.searchParams.get('b') === failed.id);
    assert.equal(await page.getByRole('textbox', { name: 'Run A' }).inputValue(), succeeded.id);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('runs of two versions: the step only the newer one ran is marked', async () => {
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, `/compare?a=${succeeded.id}&b=${newer.id}`);
    const notify = page.locator('[data-testid="compare-step"][data-step="notify"]');
    await notify.waitFor();
    assert.equal(await notify.getAttribute('data-only'), 'only in B');
    assert.match((await notify.locator('td').allTextContents())[1]!, /did not run/);
    assert.equal(await page.locator('[data-testid="compare-step"][data-step="build"]').getAttribute('data-differs'), 'false');
    assert.equal(await page.locator('table[aria-label="Both runs"] tr[data-field="Automation"]').getAttribute('data-differs'), 'true');
    assert.equal(await page.getByTestId('compare-inputs-differences').textContent(), 'same');
    assert.match(await page.getByTestId('compare-glance').textContent() ?? '', /Both succeeded\..*A ran report v1, B ran report v2\..*Same inputs\..*Only B ran notify\./);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('dark theme and a narrow window pass axe; nothing widens the page', async () => {
    for (const options of [{ colorScheme: 'dark' as const }, { width: 420, height: 900 }]) {
      const { context, page, errors } = await newPage(browser, options);
      await signIn(page, server.url, server.token, `/compare?a=${failed.id}&b=${succeeded.id}`);
      await page.getByTestId('compare-run-a').waitFor();
      await assertAxeClean(page);
      await assertNoSidewaysScroll(page);
      await shot(page, options.colorScheme ?? `narrow-${options.width}`);
      assert.deepEqual(errors, []);
      await context.close();
    }
  });

  test('a run that does not exist shows the API\'s error', async () => {
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, `/compare?a=${failed.id}&b=01JNOSUCHRUN0000000000000Z`);
    const alert = page.getByRole('alert').filter({ hasText: 'Run B' });
    await alert.waitFor();
    assert.match(await alert.textContent() ?? '', /not found/);
    assert.equal(await page.getByTestId('compare-run-a').count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
