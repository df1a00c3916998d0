/**
 * Not a test: screenshots of every page with demo data, in light and dark themes and a narrow
 * window, to look at before a release (`npx tsx test/web/screenshots.ts [DIR]`, default a new
 * temporary directory). The README's screenshots come from here.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, newPage, startWebServer } from './browser.js';
import { startStandIn } from '../support/llm-stand-in.js';
import { createAgentRun, createApprovalRun, createFailedRun, standInConfig, waitForRun } from './run-fixtures.js';

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
  const ok = (await c.runs.list({ automation: 'daily-digest', status: 'succeeded', limit: 1 })).items[0]!;
  const pages: [string, string][] = [
    ['automations', '/'],
    ['automation', '/automations/daily-digest'],
    ['automation-versions', '/automations/daily-digest?tab=versions&a=1&b=2'],
    ['automation-definition', '/automations/daily-digest?tab=definition'],
    ['automation-triggers', '/automations/github-issues?tab=triggers'],
    ['automation-run', '/automations/daily-digest?tab=run'],
    ['runs', '/runs'],
    ['run-agent', `/runs/${agent.id}?step=triage`],
    ['run-failed', `/runs/${failed.id}`],
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
      for (const [name, path] of pages) {
        await page.goto(`${server.url}${path}`);
        await page.getByRole('navigation', { name: 'Main' }).waitFor({ state: 'attached' });
        await page.waitForTimeout(1200);
        await page.screenshot({ path: `${out}/${name}-${scheme}-${width}.png`, fullPage: width === 420 ? false : true });
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
