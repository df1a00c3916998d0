/**
 * The approvals inbox in Chromium against a real `rota serve`: pending approvals with their
 * message, details and the exact arguments of a tool call; deciding (approve with a comment or an
 * edited value, reject, abort) resumes the run, checked through the API; the history with who
 * decided and when; a new approval appears without a reload; no decide buttons without
 * approvals:write; axe-core on the page with data (light, dark, narrow).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createClient, type RotaClient, type RunView } from '../../src/client/index.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';
import { assertAxeClean, assertNoSidewaysScroll, launchBrowser, newPage, signIn, startWebServer, until, type WebServer } from './browser.js';

const REFUND = {
  name: 'refund',
  inputs: { type: 'object', properties: { amount: { type: 'number' }, customer: { type: 'string' } }, required: ['amount', 'customer'] },
  steps: [{ id: 'confirm', action: 'approval', with: { message: 'Refund {{ inputs.amount }} EUR to {{ inputs.customer }}?', details: { amount: '{{ inputs.amount }}', customer: '{{ inputs.customer }}' } } }],
};

const TOOL_ARGS = { url: 'http://127.0.0.1:9/refunds?order=A1', method: 'POST', body: '{"order":"A1","amount":500}' };


async function waitingRun(client: RotaClient, name: string, inputs: Record<string, unknown>): Promise<RunView> {
  const { run } = await client.automations.run(name, { inputs });
  return until(`run ${run.id} waiting`, async () => {
    const now = await client.runs.get(run.id);
    return now.status === 'waiting' ? now : undefined;
  });
}

async function ended(client: RotaClient, id: string): Promise<RunView> {
  return until(`run ${id} ended`, async () => {
    const now = await client.runs.get(id);
    return ['succeeded', 'failed', 'canceled', 'timed_out'].includes(now.status) ? now : undefined;
  });
}

const card = (page: Page, message: string) => page.getByRole('article', { name: message });

describe('web UI: approvals inbox', () => {
  let browser: Browser;
  let server: WebServer;
  let llm: StandIn;
  let adminName: string;

  before(async () => {
    llm = await startStandIn();
    llm.script(() => ({ toolCalls: [{ name: 'http_fetch', arguments: TOOL_ARGS }], usage: { input: 100, output: 20 } }));
    const config = [
      'providers:',
      `  stand_in: { kind: openai_compatible, base_url: "${llm.openaiBaseUrl}" }`,
      'models:',
      '  default: { model: "stand_in:inbox-model", price: { input: 1, output: 2 } }',
    ].join('\n');
    [browser, server] = await Promise.all([launchBrowser(), startWebServer('sqlite', { config })]);
    await server.client.automations.apply('refund', REFUND);
    await server.client.automations.apply('agent-refund', {
      name: 'agent-refund',
      steps: [{ id: 'agent', action: 'agent', with: { prompt: 'Refund order A1', tools: ['http_fetch'], require_approval_for: ['http_fetch'], max_tokens: 100 } }],
    });
    const me = await server.client.whoami();
    adminName = (await server.client.tokens.list()).find((t) => t.id === me.token_id)!.name;
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await llm?.close();
  });

  test('lists a pending approval with its message, details, run and automation; axe finds nothing serious (light, dark, narrow)', async () => {
    const run = await waitingRun(server.client, 'refund', { amount: 120, customer: 'ACME' });
    for (const options of [{}, { colorScheme: 'dark' as const }, { width: 420, height: 800 }]) {
      const { context, page, errors } = await newPage(browser, options);
      await signIn(page, server.url, server.token, '/approvals');
      const item = card(page, 'Refund 120 EUR to ACME?');
      await item.waitFor();
      const details = await item.getByLabel('Details', { exact: true }).innerText();
      assert.deepEqual(JSON.parse(details), { amount: 120, customer: 'ACME' });
      assert.equal(await item.getByRole('link', { name: run.id }).getAttribute('href'), `/runs/${run.id}?step=confirm`);
      assert.equal(await item.getByRole('link', { name: 'refund' }).getAttribute('href'), '/automations/refund');
      await item.getByRole('button', { name: 'Approve', exact: true }).waitFor();
      await assertAxeClean(page, JSON.stringify(options));
      if (options.width) {
        // narrow: the card fits the window, nothing scrolls sideways
        await assertNoSidewaysScroll(page);
      }
      assert.deepEqual(errors, []);
      await context.close();
    }
  });

  test('approve with a comment: the run resumes to succeeded; the approval moves to the history with who decided and when', async () => {
    const run = await waitingRun(server.client, 'refund', { amount: 75, customer: 'Globex' });
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/approvals');
    const item = card(page, 'Refund 75 EUR to Globex?');
    await item.getByLabel('Comment').fill('checked with finance');
    await item.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Approved “Refund 75 EUR to Globex?”' }).waitFor();
    await item.waitFor({ state: 'detached' });
    const done = await ended(server.client, run.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual((done.output as { value: unknown; comment: string }).value, { amount: 75, customer: 'Globex' });
    assert.equal((done.output as { comment: string }).comment, 'checked with finance');

    await page.getByText('History', { exact: true }).click();
    const approval = (await server.client.approvals.list({ run_id: run.id })).items[0]!;
    const row = page.locator(`tr[data-approval="${approval.id}"]`);
    await row.waitFor();
    assert.equal(await row.locator('[data-status="approved"]').count(), 1);
    const text = await row.innerText();
    assert.ok(text.includes(`${adminName} approved`), text);
    assert.match(text, /checked with finance/);
    assert.equal(await row.locator('time').last().getAttribute('datetime'), approval.decisions[0]!.at);
    assert.match(page.url(), /\/approvals\?state=history$/);
    await assertAxeClean(page);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('approve with an edited value: invalid JSON is refused in the form; the run outputs the edited value', async () => {
    const run = await waitingRun(server.client, 'refund', { amount: 500, customer: 'Initech' });
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/approvals');
    const item = card(page, 'Refund 500 EUR to Initech?');
    await item.getByLabel('Approve with an edited value').check();
    const value = item.getByLabel('Value (JSON)');
    assert.deepEqual(JSON.parse(await value.inputValue()), { amount: 500, customer: 'Initech' }, 'starts from the details');
    await value.fill('{"amount": 50,');
    await item.getByText(/Not valid JSON/).waitFor();
    assert.equal(await item.getByRole('button', { name: 'Approve with value' }).isDisabled(), true);
    await value.fill('{"amount": 50, "customer": "Initech", "note": "partial refund"}');
    await item.getByRole('button', { name: 'Approve with value' }).click();
    await item.waitFor({ state: 'detached' });
    const done = await ended(server.client, run.id);
    assert.equal(done.status, 'succeeded', JSON.stringify(done.error));
    assert.deepEqual((done.output as { value: unknown }).value, { amount: 50, customer: 'Initech', note: 'partial refund' });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('reject: the run fails approval_rejected; the history shows it rejected, with the comment', async () => {
    const run = await waitingRun(server.client, 'refund', { amount: 9000, customer: 'Umbrella' });
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/approvals');
    const item = card(page, 'Refund 9000 EUR to Umbrella?');
    await item.getByLabel('Comment').fill('far too much');
    await item.getByRole('button', { name: 'Reject' }).click();
    await item.waitFor({ state: 'detached' });
    const done = await ended(server.client, run.id);
    assert.equal(done.status, 'failed');
    assert.equal(done.error?.code, 'approval_rejected');
    await page.goto(`${server.url}/approvals?state=rejected`);
    const approval = (await server.client.approvals.list({ run_id: run.id })).items[0]!;
    const row = page.locator(`tr[data-approval="${approval.id}"]`);
    await row.waitFor();
    assert.equal(await row.locator('[data-status="rejected"]').count(), 1);
    const text = await row.innerText();
    assert.ok(text.includes(`${adminName} rejected`) && text.includes('far too much'), text);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a tool-call approval shows the exact arguments; abort cancels the run', async () => {
    const run = await waitingRun(server.client, 'agent-refund', {});
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/approvals');
    const item = card(page, 'Agent step "agent" wants to call http_fetch');
    await item.waitFor();
    assert.match(await item.innerText(), /tool call/i);
    assert.deepEqual(JSON.parse(await item.getByLabel('Arguments of http_fetch').innerText()), TOOL_ARGS);
    await item.getByLabel('Approve with edited arguments').check();
    assert.deepEqual(JSON.parse(await item.getByLabel('Value (JSON)').inputValue()), TOOL_ARGS);
    await assertAxeClean(page);
    await item.getByRole('button', { name: 'Abort…' }).click();
    await item.getByRole('button', { name: 'Abort run' }).click();
    await page.getByRole('status').filter({ hasText: 'The run is canceled' }).waitFor();
    const done = await ended(server.client, run.id);
    assert.equal(done.status, 'canceled');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a new approval appears without a reload', async () => {
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/approvals');
    await page.getByRole('heading', { name: 'Approvals' }).waitFor();
    await waitingRun(server.client, 'refund', { amount: 1, customer: 'Late Arrival' });
    await card(page, 'Refund 1 EUR to Late Arrival?').waitFor({ timeout: 15_000 });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('with min_approvals 2, an approval by this token waits for another one', async () => {
    await server.client.automations.apply('two-keys', { name: 'two-keys', steps: [{ id: 'confirm', action: 'approval', with: { message: 'Rotate the root key?', min_approvals: 2 } }] });
    const run = await waitingRun(server.client, 'two-keys', {});
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/approvals');
    const item = card(page, 'Rotate the root key?');
    await item.getByText('0 of 2 approvals so far.').waitFor();
    await item.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '1 more needed' }).waitFor();
    await item.getByText(/You approved this .*; waiting for 1 more approval from other tokens\./).waitFor();
    assert.equal(await item.getByRole('button', { name: 'Approve', exact: true }).count(), 0);
    assert.equal((await server.client.runs.get(run.id)).status, 'waiting');
    // a second token's approval settles it
    const { token } = await server.client.tokens.create('second-approver', ['approvals:write', 'runs:read']);
    const approval = (await server.client.approvals.list({ run_id: run.id })).items[0]!;
    await createClient({ url: server.url, token }).approvals.decide(approval.id, 'approve');
    assert.equal((await ended(server.client, run.id)).status, 'succeeded');
    await item.waitFor({ state: 'detached' });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a token without approvals:write sees the inbox but no decide buttons', async () => {
    await waitingRun(server.client, 'refund', { amount: 2, customer: 'Read Only' });
    const { token } = await server.client.tokens.create('viewer', ['runs:read', 'automations:read']);
    const viewer = createClient({ url: server.url, token });
    assert.ok((await viewer.approvals.list({ state: 'pending' })).total > 0);
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, token, '/approvals');
    const item = card(page, 'Refund 2 EUR to Read Only?');
    await item.waitFor();
    await item.getByText('Deciding needs a token with the approvals:write scope.').waitFor();
    for (const name of ['Approve', 'Reject', 'Abort…']) assert.equal(await item.getByRole('button', { name }).count(), 0, name);
    assert.equal(await item.getByLabel('Comment').count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
