/**
 * The costs and events pages in Chromium against a real `rota serve` whose models are the LLM
 * stand-in (its usage priced by the configured models): spend per automation and per model, the
 * stacked chart and its table, the daily budgets; published events with their data and the runs
 * they started, the name filter, keyset pages, the emit form; axe-core on both with data.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunView } from '../../src/client/index.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';
import { assertAxeClean, assertNoSidewaysScroll, launchBrowser, newPage, signIn, startWebServer, until, type WebServer } from './browser.js';




describe('web UI: costs and events', () => {
  let browser: Browser;
  let server: WebServer;
  let llm: StandIn;

  before(async () => {
    llm = await startStandIn();
    llm.script(() => ({ text: 'done', usage: { input: 2000, output: 100 } }));
    const config = [
      'providers:',
      `  stand_in: { kind: openai_compatible, base_url: "${llm.openaiBaseUrl}" }`,
      'models:',
      // 2000 input + 100 output tokens: $0.0022 a call on small, $0.05 on large
      '  default: { model: "stand_in:small", price: { input: 1, output: 2 } }',
      '  big: { model: "stand_in:large", price: { input: 20, output: 100 } }',
      'budgets:',
      '  workspace_per_day: { max_cost_usd: 20 }',
    ].join('\n');
    [browser, server] = await Promise.all([launchBrowser(), startWebServer('sqlite', { config })]);
    const c = server.client;
    const agent = (model: string) => [{ id: 'ask', action: 'agent', with: { prompt: 'Hi', model, max_tokens: 100 } }];
    await c.automations.apply('triage', { name: 'triage', execution: { budget: { per_day: { max_cost_usd: 1 } } }, steps: agent('default') });
    await c.automations.apply('report', { name: 'report', steps: agent('big') });
    await c.automations.apply('notify', {
      name: 'notify',
      inputs: { type: 'object', properties: { order: { type: 'string' } } },
      triggers: [{ id: 'shipped', type: 'event', name: 'order.shipped', inputs: { order: '{{ data.order }}' } }],
      steps: [{ id: 'a', action: 'set', with: { order: '{{ inputs.order }}' } }],
    });
    for (const name of ['triage', 'triage', 'report']) {
      const { run } = await c.automations.run(name, { wait: '20s' });
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    }
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await llm?.close();
  });

  test('costs: spend per automation and per model, the chart and its table, the daily budgets', async () => {
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/costs');
    const byAutomation = page.getByRole('table', { name: 'By automation' });
    await byAutomation.waitFor();
    const cells = async (row: ReturnType<Page['locator']>) => (await row.locator('td').allInnerTexts()).map((t) => t.trim());
    assert.deepEqual(await cells(byAutomation.locator('tr[data-key="report"]')), ['report', '$0.05', '92%', '2,100', '1']);
    assert.deepEqual(await cells(byAutomation.locator('tr[data-key="triage"]')), ['triage', '$0.0044', '8%', '4,200', '2']);
    const byModel = page.getByRole('table', { name: 'By model' });
    assert.deepEqual(await cells(byModel.locator('tr[data-key="stand_in:large"]')), ['stand_in:large', '$0.05', '92%', '2,100', '1']);
    assert.deepEqual(await cells(byModel.locator('tr[data-key="stand_in:small"]')), ['stand_in:small', '$0.0044', '8%', '4,200', '2']);
    assert.match(await page.locator('[data-stat="Model calls"]').innerText(), /^MODEL CALLS\s+3$/i);

    // the chart: an image named by its title, one segment per automation on today's bar
    const chart = page.getByRole('img', { name: /Cost per UTC day by automation, last 30 days/ });
    await chart.waitFor();
    const today = new Date().toISOString().slice(0, 10);
    assert.deepEqual((await chart.locator('rect').evaluateAll((rects) => rects.map((r) => `${r.getAttribute('data-day')} ${r.getAttribute('data-series')}`))).sort(), [`${today} report`, `${today} triage`]);
    await page.getByText('By model', { exact: true }).first().click();
    const byModelChart = page.getByRole('img', { name: /by model/ });
    await byModelChart.waitFor();
    assert.deepEqual((await byModelChart.locator('rect').evaluateAll((rects) => rects.map((r) => r.getAttribute('data-series')))).sort(), ['stand_in:large', 'stand_in:small']);
    // the same data as a table
    await page.getByRole('button', { name: "The chart's data as a table" }).click();
    const data = page.getByRole('table', { name: /Cost per UTC day by model/ });
    await data.waitFor();
    const row = data.getByRole('row', { name: new RegExp(today) });
    assert.deepEqual((await row.locator('td').allInnerTexts()).map((t) => t.trim()), ['$0.05', '$0.0044', '$0.05']);

    // budgets: the definition's per_day is the limit in force for triage; the workspace's from the configuration
    const triage = page.locator('tr[data-automation="triage"]');
    assert.deepEqual((await triage.locator('td').allInnerTexts()).map((t) => t.trim().replace(/\s+/g, ' ')), ['triage', '$1.00', '$1.00', '$0.0044 of $1.00']);
    // no limit, listed because it spent today
    const report = page.locator('tr[data-automation="report"]');
    assert.deepEqual((await report.locator('td').allInnerTexts()).map((t) => t.trim().replace(/\s+/g, ' ')), ['report', '–', 'no limit', '$0.05 · 2,100 tokens today, no daily limit']);
    assert.equal(await page.locator('tr[data-automation="notify"]').count(), 0, 'no limit, nothing spent');
    await page.getByText('budgets.workspace_per_day').waitFor();
    await page.getByText('$0.05 of $20.00').waitFor();
    await page.getByRole('progressbar', { name: /^triage: cost spent today, 0% of the daily limit$/ }).waitFor();
    await assertAxeClean(page, 'costs, light');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('costs: dark and narrow windows', async () => {
    for (const options of [{ colorScheme: 'dark' as const }, { width: 420, height: 800 }]) {
      const { context, page, errors } = await newPage(browser, options);
      await signIn(page, server.url, server.token, '/costs?days=7');
      await page.getByRole('img', { name: /last 7 days/ }).waitFor();
      await assertAxeClean(page, JSON.stringify(options));
      await assertNoSidewaysScroll(page);
      assert.deepEqual(errors, []);
      await context.close();
    }
  });

  test('events: an emitted event with its data and the run it started; the name filter', async () => {
    const event = await server.client.events.emit('order.shipped', { data: { order: 'A1', carrier: 'DHL' } });
    await server.client.events.emit('invoice.sent', { data: { invoice: 7 } });
    const runId = event.runs![0]!.run_id;
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/events');
    const row = page.locator(`tr[data-event="${event.id}"]`);
    await row.waitFor();
    assert.match(await row.innerText(), /order\.shipped/);
    const link = row.getByRole('link', { name: `run ${runId} of notify` });
    assert.equal(await link.getAttribute('href'), `/runs/${runId}`);
    await row.getByRole('button', { name: `Show the data of order.shipped ${event.id}` }).click();
    assert.deepEqual(JSON.parse(await page.getByLabel(`Data of order.shipped ${event.id}`, { exact: true }).innerText()), { order: 'A1', carrier: 'DHL' });
    await assertAxeClean(page, 'events with data shown');

    await page.getByLabel('Event name').fill('invoice.sent');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/\/events\?name=invoice\.sent$/);
    await page.getByText('1 event named invoice.sent').waitFor();
    assert.equal(await page.locator('tr[data-event]').count(), 1);
    assert.match(await page.locator('tr[data-event]').innerText(), /invoice\.sent/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('events: keyset pages with Load more', async () => {
    for (let i = 0; i < 53; i++) await server.client.events.emit('bulk.tick', { data: { i } });
    const { context, page, errors } = await newPage(browser, { width: 420, height: 800 });
    await signIn(page, server.url, server.token, '/events?name=bulk.tick');
    await page.getByText('53 events named bulk.tick').waitFor();
    assert.equal(await page.locator('tr[data-event]').count(), 50);
    await page.getByRole('button', { name: 'Load more' }).click();
    await until('all 53 rows', async () => ((await page.locator('tr[data-event]').count()) === 53 ? true : undefined));
    assert.equal(await page.getByRole('button', { name: 'Load more' }).count(), 0);
    await assertNoSidewaysScroll(page);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('events: the emit form validates JSON, publishes, and shows the run it started', async () => {
    const { context, page, errors } = await newPage(browser, { colorScheme: 'dark' });
    await signIn(page, server.url, server.token, '/events');
    await page.getByRole('button', { name: 'Emit event' }).click();
    const form = page.getByRole('region', { name: 'Emit an event' });
    await form.getByLabel('Name').fill('order.shipped');
    await form.getByLabel('Data (JSON)').fill('{"order": "B2",');
    await form.getByText(/Not valid JSON/).waitFor();
    assert.equal(await form.getByRole('button', { name: 'Emit' }).isDisabled(), true);
    await form.getByLabel('Data (JSON)').fill('{"order": "B2"}');
    await form.getByRole('button', { name: 'Emit' }).click();
    const published = form.getByRole('status');
    await published.getByText('Started 1 run:').waitFor();
    const href = await published.getByRole('link').getAttribute('href');
    const runId = /^\/runs\/(\w+)$/.exec(href ?? '')?.[1];
    assert.ok(runId, href ?? 'no link');
    const run = await until<RunView>('the started run to end', async () => {
      const r = await server.client.runs.get(runId);
      return r.status === 'succeeded' ? r : undefined;
    });
    assert.equal(run.automation, 'notify');
    assert.deepEqual(run.output, { order: 'B2' });
    // the list shows the new event without a reload
    const latest = (await server.client.events.list({ name: 'order.shipped', limit: 1 })).items[0]!;
    await page.locator(`tr[data-event="${latest.id}"]`).waitFor();
    await assertAxeClean(page, 'events with the emit form, dark');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('events: a token without events:write sees the events but no emit button', async () => {
    const { token } = await server.client.tokens.create('reader', ['runs:read', 'automations:read']);
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, token, '/events');
    await page.locator('tr[data-event]').first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Emit event' }).count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
