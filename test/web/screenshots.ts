/**
 * Not a test: screenshots of every page with demo data, in light and dark themes and a narrow
 * window, to look at before a release (`npx tsx test/web/screenshots.ts [DIR]`, default a new
 * temporary directory). The README's screenshots come from here.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, newPage, startWebServer } from './browser.js';
import { startStandIn } from '../support/llm-stand-in.js';
import { createAgentRun, createApprovalRun, createFailedRun, createPlannerRun, plannerScript, standInConfig, waitForRun } from './run-fixtures.js';

const out = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'rota-shots-'));
const llm = await startStandIn();
const server = await startWebServer('sqlite', { config: standInConfig(llm.openaiBaseUrl) });
const browser = await launchBrowser();
const c = server.client;
try {
  await c.automations.apply('daily-digest', {
    name: 'daily-digest',
    description: 'Summarize yesterday\'s tickets every weekday at 9 in Berlin',
    inputs: { type: 'object', properties: { team: { type: 'string', description: 'team slug', default: 'support' }, max: { type: 'integer', minimum: 1, maximum: 50, default: 10 }, tone: { enum: ['brief', 'detailed'] } }, required: ['team'] },
    triggers: [{ id: 'weekday-9', type: 'schedule', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' }],
    execution: { pause_after_failures: 3 },
    steps: [
      { id: 'fetch', action: 'set', with: { tickets: 12 } },
      { id: 'summarize', action: 'set', with: { summary: 'ok {{ inputs.team }}' }, needs: ['fetch'] },
    ],
  });
  for (let i = 0; i < 6; i++) await waitForRun(c, (await c.automations.run('daily-digest', { inputs: { team: `t${i}` } })).run.id);
  await c.automations.apply('daily-digest', {
    name: 'daily-digest', description: 'Summarize yesterday\'s tickets every weekday at 9 in Berlin',
    inputs: { type: 'object', properties: { team: { type: 'string', description: 'team slug', default: 'support' }, max: { type: 'integer', minimum: 1, maximum: 50, default: 10 }, tone: { enum: ['brief', 'detailed'] } }, required: ['team'] },
    triggers: [{ id: 'weekday-9', type: 'schedule', cron: '0 9 * * 1-5', timezone: 'Europe/Berlin' }],
    execution: { pause_after_failures: 3 },
    steps: [
      { id: 'fetch', action: 'set', with: { tickets: 14 } },
      { id: 'summarize', action: 'set', with: { summary: 'ok {{ inputs.team }}' }, needs: ['fetch'] },
    ],
  });
  await c.automations.apply('github-issues', { name: 'github-issues', triggers: [{ id: 'gh', type: 'webhook', verify: { scheme: 'token', header: 'x-token', secret: 'shh-not-shown' } }], steps: [{ id: 'label', action: 'set', with: { ok: true } }] });
  const failed = await createFailedRun(c, 'shots');
  await createFailedRun(c, 'shots');
  await createApprovalRun(c, 'refund');
  llm.script([{ toolCalls: [{ name: 'emit_event', arguments: { name: 'ticket.triaged', data: { id: 42, label: 'bug' } } }], usage: { input: 300, output: 20 } }, { text: '{"label":"bug"}', usage: { input: 20, output: 3 } }]);
  const agent = await createAgentRun(c, 'triage');
  await c.automations.apply('welcome', { name: 'welcome', triggers: [{ id: 'signup', type: 'event', name: 'user.signed_up' }], steps: [{ id: 'hi', action: 'set', with: { ok: true } }] });
  await c.events.emit('user.signed_up', { data: { user: 'ada@example.com' } });
  llm.script(plannerScript());
  const planned = await createPlannerRun(c, 'digest');
  await c.runs.saveAsAutomation(planned.id, { name: 'rust-digest', description: 'The digest plan of one run, frozen', inputs: [{ name: 'topic', description: 'what the digest is about', required: true }] });
  /** the save dialog after a check */
  const checked = async (page: Page) => {
    await page.getByRole('button', { name: 'Save as automation…' }).click();
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByRole('region', { name: 'What would be saved' }).waitFor();
  };
  /** the save dialog refusing an input no step uses */
  const refused = async (page: Page) => {
    await page.getByRole('button', { name: 'Save as automation…' }).click();
    await page.getByRole('button', { name: 'Add input' }).click();
    await page.locator('[data-input-row="1"] [data-field="name"]').fill('unused');
    await page.locator('[data-input-row="1"] [data-field="default"]').fill('x');
    await page.getByRole('button', { name: 'Check' }).click();
    await page.getByText('The check found problems').waitFor();
  };
  const ok = (await c.runs.list({ automation: 'daily-digest', status: 'succeeded', limit: 1 })).items[0]!;
  const pages: [string, string, ((page: Page) => Promise<void>)?][] = [
    ['automations', '/'],
    ['automation', '/automations/daily-digest'],
    ['automation-versions', '/automations/daily-digest?tab=versions&a=1&b=2'],
    ['automation-definition', '/automations/daily-digest?tab=definition'],
    ['automation-triggers', '/automations/github-issues?tab=triggers'],
    ['automation-run', '/automations/daily-digest?tab=run'],
    ['runs', '/runs'],
    ['run-agent', `/runs/${agent.id}?step=triage`],
    ['run-failed', `/runs/${failed.id}`],
    ['run-planner', `/runs/${planned.id}?step=research`],
    ['run-planned', `/runs/${planned.id}?step=research.write`],
    ['run-save-checked', `/runs/${planned.id}`, checked],
    ['run-save-refused', `/runs/${planned.id}`, refused],
    ['automation-saved', '/automations/rust-digest'],
    ['automation-saved-versions', '/automations/rust-digest?tab=versions'],
    ['compare', `/compare?a=${ok.id}&b=${failed.id}`],
    ['approvals', '/approvals'],
    ['costs', '/costs'],
    ['events', '/events'],
  ];
  for (const scheme of ['light', 'dark'] as const) {
    for (const width of [1280, 420]) {
      if (scheme === 'dark' && width === 420) continue;
      const { context, page } = await newPage(browser, { width, height: 800, colorScheme: scheme });
      await context.addInitScript(`localStorage.setItem('rota.token', ${JSON.stringify(server.token)})`);
      for (const [name, path, then] of pages) {
        await page.goto(`${server.url}${path}`);
        await page.getByRole('navigation', { name: 'Main' }).waitFor({ state: 'attached' });
        await page.waitForTimeout(1200);
        // a dialog is as tall as the window: a tall window shows all of it
        if (then) {
          await page.setViewportSize({ width, height: 2400 });
          await then(page);
          await page.waitForTimeout(400);
        }
        await page.screenshot({ path: `${out}/${name}-${scheme}-${width}.png`, fullPage: width === 420 || then ? false : true });
        if (then) await page.setViewportSize({ width, height: 800 });
      }
      await context.close();
    }
  }
  console.log(`screenshots in ${out}`);
} finally {
  await browser.close();
  await server.stop();
  await llm.close();
}
