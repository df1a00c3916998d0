/**
 * Saved workflows in Chromium against a real `rota serve` (SQLite) whose model is the LLM stand-in:
 * a planner's run with its planned steps marked (timeline, step detail, the plan, the log), the
 * "Save as automation" dialog (problems by input row and by path, the dry-run check with the
 * freezability report and the definition, literal inputs, save), the saved automation's "Saved
 * from run" and its version's freeze report; who sees the action; axe on each state. The dialog's
 * pure model (request, defaults, problems by row) is tested first, without a browser.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';
import { buildRequest, initialForm, newRow, parseDefault, splitProblems } from '../../web/src/components/save-form.js';
import { assertAxeClean, assertNoSidewaysScroll, launchBrowser, openSignedIn, startWebServer, type WebServer } from './browser.js';
import { createFailedRun, createPlannerRun, plannerScript, standInConfig, waitForRun } from './run-fixtures.js';

describe('web: the save dialog\'s model (no browser)', () => {
  test('defaults are read by the chosen type, else by the type of the run\'s value', () => {
    const cases: [string, '' | 'string' | 'number' | 'integer' | 'boolean', unknown, unknown][] = [
      ['', '', 'rust', null],
      ['go', '', 'rust', { ok: true, value: 'go' }],
      ['7', '', 3, { ok: true, value: 7 }],
      ['7', 'string', 3, { ok: true, value: '7' }],
      ['true', '', false, { ok: true, value: true }],
      ['2.5', 'integer', undefined, { ok: false, message: 'the default must be a whole number, not 2.5' }],
      ['many', 'number', undefined, { ok: false, message: 'the default must be a number, not "many"' }],
      ['yes', 'boolean', undefined, { ok: false, message: 'the default must be true or false' }],
    ];
    for (const [text, type, source, expected] of cases) assert.deepEqual(parseDefault(text, type, source), expected, `${text} as ${type || 'auto'}`);
  });

  test('the request: a row per input, empty rows left out, problems found before sending', () => {
    const form = initialForm('planner', { topic: 'rust', count: 3 });
    assert.equal(form.name, 'planner-saved');
    assert.deepEqual(form.inputs.map((r) => r.name), ['topic', 'count']);
    form.inputs[0] = { ...form.inputs[0]!, required: true, description: ' what about ' };
    form.inputs[1] = { ...form.inputs[1]!, default: '5' };
    form.inputs.push(newRow(), { ...newRow(), default: 'x' });
    form.keepPlanning = ['research'];
    const built = buildRequest(form, { topic: 'rust', count: 3 }, true);
    assert.deepEqual(built.request, {
      name: 'planner-saved',
      inputs: [{ name: 'topic', required: true, description: 'what about' }, { name: 'count', default: 5 }],
      keep_planning: ['research'],
      dry_run: true,
    });
    assert.deepEqual(built.rowErrors, { 3: 'give the input a name (or remove the row)' });
    assert.deepEqual(built.rowOf, [0, 1]);
    assert.deepEqual(buildRequest({ ...form, name: ' ' }, {}, false).formErrors, [{ path: '$.name', message: 'give the automation a name' }]);
  });

  test('the server\'s problems: $.inputs[i] to the row that was sent as i, the rest with their paths', () => {
    const split = splitProblems(
      [
        { path: '$.inputs[1]', message: 'input "unused" is not used' },
        { path: '$.inputs[0].name', message: 'must match ^[A-Za-z0-9_-]{1,64}$' },
        { path: '$.steps[1].with.prompt', message: 'input "topic" is not declared' },
        { path: '$.inputs[9]', message: 'no such row was sent' },
        { path: '$.keep_planning', message: '"x" is not a planning step' },
      ],
      [0, 2],
    );
    assert.deepEqual(split.rows, { 2: ['input "unused" is not used'], 0: ['name: must match ^[A-Za-z0-9_-]{1,64}$'] });
    assert.deepEqual(split.other.map((p) => p.path), ['$.steps[1].with.prompt', '$.inputs[9]', '$.keep_planning']);
  });
});

describe('web UI: saved workflows', () => {
  let browser: Browser;
  let server: WebServer;
  let llm: StandIn;

  before(async () => {
    llm = await startStandIn();
    llm.script(plannerScript());
    [browser, server] = await Promise.all([launchBrowser(), startWebServer('sqlite', { config: standInConfig(llm.openaiBaseUrl) })]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await llm?.close();
  });

  const open = (path: string, options: Parameters<typeof openSignedIn>[4] & { token?: string } = {}) => openSignedIn(browser, server.url, options.token ?? server.token, path, options);

  async function plannerRun(suffix: string) {
    const run = await createPlannerRun(server.client, suffix);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    return run;
  }

  async function openDialog(page: Page): Promise<Locator> {
    await page.getByRole('button', { name: 'Save as automation…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save as automation' });
    await dialog.waitFor();
    return dialog;
  }

  const row = (dialog: Locator, i: number) => dialog.locator(`[data-input-row="${i}"]`);

  test('planned steps are marked in the timeline and the step detail; the planner shows its plan; the log says what was planned', async () => {
    const run = await plannerRun('marks');
    const { context, page, errors } = await open(`/runs/${run.id}?step=research.gather`);
    await page.getByRole('list', { name: 'Steps (4)' }).waitFor();
    const tags = async (id: string) => page.locator(`[data-step="${id}"] .rota-tl-tag`).allTextContents();
    assert.deepEqual(await tags('research'), ['plans']);
    assert.deepEqual(await tags('research.gather'), ['planned']);
    assert.deepEqual(await tags('research.write'), ['planned']);
    assert.deepEqual(await tags('publish'), []);
    assert.equal(await page.locator('[data-step="research.write"] .rota-tl-tag').getAttribute('title'), 'planned by research');

    const gather = page.getByRole('article', { name: 'Step research.gather' });
    await gather.getByTestId('planned-by').getByText('planned by').waitFor();
    await assertAxeClean(page, 'a planned step');
    await gather.getByTestId('planned-by').getByRole('link', { name: 'research' }).click();
    await page.waitForURL(/[?&]step=research(&|$)/);
    const planner = page.getByRole('article', { name: 'Step research' });
    await planner.getByText('plans', { exact: true }).waitFor();
    const plan = planner.getByRole('table', { name: 'Steps planned by research' });
    await plan.waitFor();
    assert.deepEqual(await plan.locator('[data-planned-step]').evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { plannedStep: string } }).dataset.plannedStep)), ['research.gather', 'research.write']);
    const write = plan.locator('[data-planned-step="research.write"]');
    await write.getByText('retry ×2').waitFor();
    await write.getByRole('link', { name: 'research.gather' }).waitFor();
    await write.getByText(/Write a digest about \{\{ inputs\.topic \}\}/).waitFor();
    assert.equal(await write.locator('[data-status="succeeded"]').count(), 1);
    await plan.locator('[data-planned-step="research.gather"]').getByText('research', { exact: true }).waitFor();
    await assertAxeClean(page, 'a planning step with its plan');
    // a planned step's id in the plan selects it
    await write.getByRole('link', { name: 'research.gather' }).click();
    await page.getByRole('article', { name: 'Step research.gather' }).waitFor();

    await page.getByRole('tab', { name: /^Events/ }).click();
    const entry = page.locator('.rota-ev-row', { hasText: 'plan.accepted' });
    await entry.getByText('planned 2 steps: research.gather, research.write').waitFor();
    assert.equal(await entry.locator('.rota-ev-step').textContent(), 'research');
    await assertAxeClean(page, 'the run log with plan.accepted');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('save as automation: problems by input row and by path, a check with the report and the definition, then save and the saved automation', async () => {
    const run = await plannerRun('save');
    const name = 'digest-from-ui';
    const { context, page, errors } = await open(`/runs/${run.id}`);
    const dialog = await openDialog(page);
    await dialog.locator('[data-field="automation-name"]').fill(name);
    // the run's input comes as a row; replace it by an input that no step uses
    assert.equal(await row(dialog, 0).locator('[data-field="name"]').inputValue(), 'topic');
    await dialog.getByRole('button', { name: 'Remove input topic' }).click();
    await dialog.getByRole('button', { name: 'Add input' }).click();
    await row(dialog, 0).locator('[data-field="name"]').fill('unused');
    await row(dialog, 0).locator('[data-field="default"]').fill('x');
    await dialog.getByRole('button', { name: 'Check' }).click();
    const refused = dialog.getByRole('alert').filter({ hasText: 'The check found problems' });
    await refused.waitFor();
    // the row's problem at the row, the step's with its path
    await row(dialog, 0).locator('[data-row-error="0"]').getByText('input "unused" is not used', { exact: false }).waitFor();
    const listed = refused.getByTestId('save-problems');
    await listed.getByText('$.steps[1].with.prompt').first().waitFor();
    await listed.getByText(/input "topic" is not declared/).first().waitFor();
    assert.equal(await listed.getByText('$.inputs[0]').count(), 0, 'a row\'s problem is not listed again');
    assert.equal(await row(dialog, 0).locator('[data-field="name"]').getAttribute('aria-invalid'), 'true');
    await assertAxeClean(page, 'the save dialog with problems');
    await assert.rejects(server.client.automations.get(name), /not found/);

    // fixed: the input is the one the plan's prompt uses, required
    await row(dialog, 0).locator('[data-field="name"]').fill('topic');
    await row(dialog, 0).locator('[data-field="default"]').fill('');
    await row(dialog, 0).getByLabel('Required').check();
    await row(dialog, 0).locator('[data-field="description"]').fill('what the digest is about');
    await dialog.getByRole('button', { name: 'Check' }).click();
    const check = dialog.getByRole('region', { name: 'What would be saved' });
    await check.waitFor();
    assert.equal(await check.getByTestId('save-outcome').textContent(), `Saving creates the automation ${name}.`);
    assert.equal(await dialog.locator('[data-row-error]').count(), 0);
    const report = check.getByTestId('freeze-report');
    await report.getByText('fully frozen').waitFor();
    await report.getByRole('region', { name: 'Frozen' }).getByText('research.write').waitFor();
    const topic = report.locator('[data-report-input="topic"]');
    await topic.getByText('$.steps[1].with.prompt').waitFor();
    await topic.getByText('what the digest is about').waitFor();
    await report.getByRole('region', { name: 'Warnings' }).getByText('plan chose').waitFor();
    const yaml = check.getByTestId('yaml');
    await yaml.getByText('research.gather', { exact: false }).first().waitFor();
    assert.match((await yaml.textContent()) ?? '', new RegExp(`name: ${name}`));
    assert.doesNotMatch((await yaml.textContent()) ?? '', /plan:/, 'the planner is frozen away');
    await assertAxeClean(page, 'the save dialog after a check');
    await assert.rejects(server.client.automations.get(name), /not found/, 'a check writes nothing');
    // a change makes the check stale; undoing it does not
    await dialog.getByRole('checkbox', { name: 'research' }).check();
    await check.getByText('The form changed since this check: check again.').waitFor();
    await dialog.getByRole('checkbox', { name: 'research' }).uncheck();
    await check.getByText('The form changed since this check: check again.').waitFor({ state: 'detached' });

    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(new RegExp(`/automations/${name}$`));
    const saved = page.getByTestId('saved-from-run');
    await saved.waitFor();
    assert.equal(await saved.getByRole('link', { name: run.id }).getAttribute('href'), `/runs/${run.id}`);
    const view = await server.client.automations.get(name);
    assert.equal(view.saved_from_run, run.id);
    assert.deepEqual(view.definition.steps.map((s) => s.id), ['research.gather', 'research.write', 'publish']);
    assert.deepEqual(view.definition.inputs?.required, ['topic']);
    await assertAxeClean(page, 'the saved automation\'s overview');

    await page.getByRole('tab', { name: /^Versions/ }).click();
    const v1 = page.locator('[data-version="1"]');
    await v1.getByText('saved from a run').waitFor();
    await v1.getByRole('link', { name: run.id }).waitFor();
    const frozen = page.getByRole('region', { name: 'Freeze report of version 1' });
    await frozen.getByText('research.gather').first().waitFor();
    await frozen.locator('[data-report-input="topic"]').waitFor();
    await assertAxeClean(page, 'the saved version\'s freeze report');
    await v1.getByRole('button', { name: 'Hide the freeze report' }).click();
    await frozen.waitFor({ state: 'detached' });
    // the saved automation runs its frozen plan: no planning call
    const calls = llm.calls.length;
    const { run: next } = await server.client.automations.run(name, { inputs: { topic: 'zig' } });
    const ended = await waitForRun(server.client, next.id);
    assert.equal(ended.status, 'succeeded', JSON.stringify(ended.error));
    assert.equal(llm.calls.length - calls, 1);
    assert.ok(!(llm.calls.at(-1)!.system ?? '').includes('planning step'));
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a literal input is frozen to the run\'s value; the report says where', async () => {
    const run = await plannerRun('literal');
    const { context, page, errors } = await open(`/runs/${run.id}`);
    const dialog = await openDialog(page);
    await dialog.locator('[data-field="automation-name"]').fill('digest-literal');
    await dialog.getByRole('button', { name: 'Remove input topic' }).click();
    await dialog.getByRole('checkbox', { name: /^topic/ }).check();
    await dialog.getByRole('button', { name: 'Check' }).click();
    const report = dialog.getByRole('region', { name: 'What would be saved' }).getByTestId('freeze-report');
    const literals = report.getByRole('region', { name: 'Taken literally from the source run' });
    await literals.getByText('$.steps[1].with.prompt').waitFor();
    await literals.getByText('"rust"').first().waitFor();
    await report.getByText('The saved automation takes no inputs.').waitFor();
    await dialog.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/\/automations\/digest-literal$/);
    await page.getByTestId('saved-from-run').waitFor();
    const view = await server.client.automations.get('digest-literal');
    assert.match(String(view.definition.steps[1]!.with!.prompt), /Write a digest about rust from/);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the action is offered only for a succeeded run with a planning step, to a token that may save', async () => {
    const planned = await plannerRun('who');
    const failed = await createFailedRun(server.client, 'no-save');
    const { run: plain } = await server.client.automations.run(failed.automation, { inputs: { region: 'eu' } });
    assert.equal((await waitForRun(server.client, plain.id)).status, 'succeeded');
    const viewer = await server.client.tokens.create('save-viewer', ['runs:read', 'automations:read']);
    const editor = await server.client.tokens.create('save-editor', ['runs:read', 'automations:read', 'automations:write']);
    const cases: [string, string, boolean][] = [
      [planned.id, editor.token, true],
      [planned.id, viewer.token, false],
      [failed.id, server.token, false],
      [plain.id, server.token, false],
    ];
    for (const [id, token, offered] of cases) {
      const { context, page, errors } = await open(`/runs/${id}`, { token });
      await page.getByRole('button', { name: 'Report' }).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Save as automation…' }).count(), offered ? 1 : 0, `${id} ${offered}`);
      assert.deepEqual(errors, []);
      await context.close();
    }
  });

  test('a narrow window and the dark theme: the dialog fits and axe finds nothing serious', async () => {
    const run = await plannerRun('narrow');
    for (const options of [{ width: 420, height: 800 }, { colorScheme: 'dark' as const }]) {
      const { context, page, errors } = await open(`/runs/${run.id}?step=research`, options);
      await page.getByRole('table', { name: 'Steps planned by research' }).waitFor();
      await assertAxeClean(page, `planner step ${JSON.stringify(options)}`);
      await assertNoSidewaysScroll(page);
      const dialog = await openDialog(page);
      await dialog.getByRole('button', { name: 'Check' }).click();
      await dialog.getByRole('region', { name: 'What would be saved' }).waitFor();
      await assertAxeClean(page, `the dialog ${JSON.stringify(options)}`);
      await assertNoSidewaysScroll(page);
      assert.deepEqual(errors, []);
      await context.close();
    }
  });
});
