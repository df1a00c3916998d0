/**
 * The automations pages in Chromium against a real `rota serve` (SQLite): the list (strip, success
 * rate, next fire, search and status filter), the fresh workspace's first screen, the detail page
 * (highlighted YAML, version diff, triggers with next fires, webhook URL and deliveries, pause and
 * resume, the run form), axe on each with data, and a narrow window. The run form's pure parts
 * (schema → fields, the browser-side check against Ajv) are tested first, without a browser.
 */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { Browser } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { createClient } from '../../src/client/index.js';
import { checkJsonSchema, validateValue } from '../../src/definition/json-schema.js';
import { checkInputs } from '../../web/src/components/inputs-check.js';
import { buildInputs, fieldErrors, firstSegment, initialValues, inputsForm } from '../../web/src/components/inputs-fields.js';
import { assertAxeClean, assertNoSidewaysScroll, launchBrowser, newPage, signIn, startWebServer, type WebServer } from './browser.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const GREETER_INPUTS = {
  type: 'object',
  properties: {
    who: { type: 'string', description: 'who to greet', default: 'world' },
    times: { type: 'integer', minimum: 1, default: 2 },
    tone: { enum: ['warm', 'dry'], default: 'warm' },
    loud: { type: 'boolean' },
    tags: { type: 'array', items: { type: 'string' } },
    code: { type: 'string', not: { const: 'forbidden' }, description: 'anything but "forbidden"' },
  },
  required: ['who'],
};

function greeter(text: string) {
  return {
    name: 'greeter',
    description: 'Greets someone every weekday morning, and on demand.',
    inputs: GREETER_INPUTS,
    triggers: [
      { id: 'morning', type: 'schedule', cron: '0 9 * * 1-5', timezone: 'Europe/Paris' },
      { id: 'hook', type: 'webhook', verify: { scheme: 'standard', secret: SECRET } },
    ],
    steps: [{ id: 'greet', action: 'set', with: { text } }],
    execution: { pause_after_failures: 5, budget: { per_day: { max_cost_usd: 1 } } },
  };
}

describe('web: the run form\'s model (no browser)', () => {
  test('fields by type: string, enum → select, integer, boolean, array → JSON; required marks, descriptions, defaults', () => {
    const form = inputsForm(GREETER_INPUTS)!;
    assert.deepEqual(
      form.fields.map((f) => [f.key, f.kind, f.required]),
      [['who', 'string', true], ['times', 'integer', false], ['tone', 'enum', false], ['loud', 'boolean', false], ['tags', 'json', false], ['code', 'string', false]],
    );
    assert.equal(form.fields[0]!.description, 'who to greet');
    const values = initialValues(form);
    assert.deepEqual(values, { who: 'world', times: 2, tone: '0', loud: false, tags: '', code: '' });
    assert.deepEqual(buildInputs(form, values), { inputs: { who: 'world', times: 2, tone: 'warm', loud: false }, errors: {} });
    assert.deepEqual(buildInputs(form, { ...values, tags: '["a", 1' }).errors.tags?.startsWith('not valid JSON'), true);
    assert.equal(inputsForm(undefined), null);
    assert.deepEqual(inputsForm({ type: 'object' })?.freeForm, true);
    assert.deepEqual(buildInputs(inputsForm({ type: 'object' })!, { $: '[1]' }).errors, { $: 'must be a JSON object' });
  });

  test('error paths land on their field: nested, quoted, whole-object ones apart', () => {
    const form = inputsForm({ type: 'object', properties: { tags: {}, 'a b': {}, times: {} } })!;
    const split = fieldErrors(form, [
      { path: '$.times', message: 'must be >= 1' },
      { path: '$.tags[1]', message: 'must be string' },
      { path: '$["a b"]', message: 'is required' },
      { path: '$', message: 'must NOT have more than 2 properties' },
      { path: '$.other', message: 'is not an allowed property' },
    ]);
    assert.deepEqual(split.fields, { times: 'must be >= 1', tags: '[1]: must be string', 'a b': 'is required' });
    assert.deepEqual(split.other, ['must NOT have more than 2 properties', '$.other: is not an allowed property']);
    assert.equal(firstSegment('$["x\\"y"].z'), 'x"y');
    assert.equal(firstSegment('$'), null);
  });

  test('the browser-side check reports what Ajv reports, on the paths the server uses', () => {
    const cases: [unknown, unknown, string[]][] = [
      [GREETER_INPUTS, { who: 'a', times: 0 }, ['$.times']],
      [GREETER_INPUTS, { times: 1 }, []], // `who` is filled by its default, as the server's useDefaults does
      [{ type: 'object', properties: { who: { type: 'string' } }, required: ['who'] }, {}, ['$.who']],
      [GREETER_INPUTS, { who: 'a', tone: 'loud' }, ['$.tone']],
      [GREETER_INPUTS, { who: 'a', tags: ['x', 2] }, ['$.tags[1]']],
      [{ type: 'object', properties: { at: { type: 'string', format: 'date-time' } } }, { at: 'tomorrow' }, ['$.at']],
      [{ type: 'object', properties: { at: { type: 'string', format: 'date-time' } } }, { at: '2026-12-01T09:00:00Z' }, []],
      [{ type: 'object', additionalProperties: false, properties: { a: {} } }, { a: 1, b: 2 }, ['$.b']],
      [GREETER_INPUTS, { who: 'a', code: 'forbidden' }, []], // `not` is left to the server
    ];
    for (const [schema, inputs, paths] of cases) {
      const mine = checkInputs(schema, inputs).map((d) => d.path);
      const ajv = validateValue(schema, inputs);
      assert.deepEqual(mine, paths, JSON.stringify(inputs));
      if (paths.length > 0) assert.deepEqual(ajv.errors.map((e) => e.path), paths, 'the server names the same paths');
      else if (!JSON.stringify(schema).includes('"not"')) assert.equal(ajv.ok, true);
    }
  });

  test('property: the browser-side check never refuses inputs Ajv (the server) accepts', () => {
    const int = (max: number) => fc.option(fc.integer({ min: -3, max }), { nil: undefined });
    const leaf = fc.oneof(
      fc.record({ type: fc.constant('string'), minLength: int(4), maxLength: int(4), pattern: fc.option(fc.constantFrom('^a', 'b$', '^[0-9]+$'), { nil: undefined }), format: fc.option(fc.constantFrom('email', 'date-time', 'date', 'uri', 'uuid'), { nil: undefined }) }, { requiredKeys: ['type'] }),
      fc.record({ type: fc.constantFrom('integer', 'number'), minimum: int(4), maximum: int(4), exclusiveMinimum: int(4), multipleOf: fc.option(fc.constantFrom(0.1, 2, 0.5), { nil: undefined }) }, { requiredKeys: ['type'] }),
      fc.record({ enum: fc.array(fc.oneof(fc.string({ maxLength: 2 }), fc.integer({ min: 0, max: 3 }), fc.constant(null)), { minLength: 1, maxLength: 3 }) }),
      fc.record({ type: fc.constantFrom('boolean', 'null') }),
      fc.record({ type: fc.constant(['string', 'null']) }),
      fc.record({ type: fc.constant('string'), nullable: fc.constant(true) }),
      fc.record({ const: fc.oneof(fc.string({ maxLength: 2 }), fc.integer({ min: 0, max: 3 })) }),
      fc.record({ not: fc.record({ const: fc.constant('a') }) }),
      fc.constantFrom({}, true, false),
    );
    const { node } = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, tie('obj'), tie('arr'), tie('all')),
      obj: fc.record(
        {
          type: fc.constant('object'),
          properties: fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.oneof(tie('node'), fc.record({ type: fc.constant('integer'), default: fc.integer({ min: -2, max: 2 }) }), fc.record({ type: fc.constant('string'), default: fc.constant('x') }))),
          required: fc.option(fc.subarray(['a', 'b', 'c']), { nil: undefined }),
          additionalProperties: fc.option(fc.oneof(fc.boolean(), tie('node')), { nil: undefined }),
          patternProperties: fc.option(fc.dictionary(fc.constantFrom('^x', 'y'), tie('node')), { nil: undefined }),
          minProperties: fc.option(fc.nat(3), { nil: undefined }),
          maxProperties: fc.option(fc.nat(3), { nil: undefined }),
          dependentRequired: fc.option(fc.constant({ a: ['b'] }), { nil: undefined }),
          anyOf: fc.option(fc.array(tie('node'), { minLength: 1, maxLength: 2 }), { nil: undefined }),
        },
        { requiredKeys: ['type'] },
      ),
      arr: fc.record(
        { type: fc.constant('array'), items: fc.option(tie('node'), { nil: undefined }), prefixItems: fc.option(fc.array(tie('node'), { minLength: 1, maxLength: 2 }), { nil: undefined }), minItems: fc.option(fc.nat(3), { nil: undefined }), uniqueItems: fc.option(fc.boolean(), { nil: undefined }) },
        { requiredKeys: ['type'] },
      ),
      all: fc.record({ allOf: fc.array(tie('node'), { minLength: 1, maxLength: 2 }) }),
    }));
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.dictionary(fc.constantFrom('a', 'b', 'c', 'x1', 'y', 'zz'), fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('a', 'ab', 'x@y.io', '2026-12-01', '2026-12-01T09:00:00Z', 3, 1.5, -1, '12'))),
    );
    let refused = 0;
    fc.assert(
      fc.property(node, value, (schema, inputs) => {
        if (checkJsonSchema(schema, '$').length > 0) return;
        const mine = checkInputs(schema, inputs);
        if (mine.length === 0) return;
        refused++;
        let server: ReturnType<typeof validateValue>;
        try {
          server = validateValue(schema, inputs);
        } catch {
          return; // Ajv's own generated code throws on a few nested anyOf/patternProperties shapes: no verdict to compare with
        }
        assert.equal(server.ok, false, `refused what the server accepts: ${JSON.stringify(mine)}`);
      }),
      { numRuns: 400 },
    );
    assert.ok(refused > 100, `the check refuses invalid inputs (${refused} of 400)`);
  });
});

describe('web: the automations pages', () => {
  let browser: Browser;
  let server: WebServer;
  let hookPath: string;

  async function deliver(body: string, headers: Record<string, string>): Promise<number> {
    return (await fetch(`${server.url}${hookPath}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })).status;
  }

  function signed(id: string, body: string): Record<string, string> {
    const at = new Date();
    return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(SECRET).sign(id, at, body) };
  }

  before(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startWebServer()]);
    const c = server.client;
    await c.automations.apply('greeter', greeter('Hello, {{ inputs.who }}!'));
    await c.automations.apply('greeter', greeter('Hi, {{ inputs.who }}!'));
    // loopback is refused by the http action's SSRF guard: a failure at once, not retried
    await c.automations.apply('flaky', { name: 'flaky', description: 'Calls a service it may not reach', steps: [{ id: 'call', action: 'http', with: { url: 'http://127.0.0.1:9/x' }, retry: { max_retries: 0 } }] });
    await c.automations.apply('nightly-report', { name: 'nightly-report', triggers: [{ id: 'nightly', type: 'schedule', cron: '30 2 * * *', timezone: 'America/New_York' }], steps: [{ id: 'a', action: 'set', with: { x: 1 } }] });
    for (const who of ['Ada', 'Grace', 'Alan']) assert.equal((await c.automations.run('greeter', { inputs: { who }, wait: '10s' })).run.status, 'succeeded');
    for (let i = 0; i < 2; i++) assert.equal((await c.automations.run('flaky', { wait: '10s' })).run.status, 'failed');
    await c.automations.pause('nightly-report');
    hookPath = (await c.automations.get('greeter')).triggers.find((t) => t.id === 'hook')!.webhook_path!;
    // an accepted delivery, a signed one whose body is not JSON (rejected after authentication), a bad signature
    assert.equal(await deliver('{"n":1}', signed('msg_ok', '{"n":1}')), 202);
    assert.equal(await deliver('{not json', signed('msg_bad_json', '{not json')), 400);
    assert.equal(await deliver('{}', { 'webhook-id': 'msg_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,Zm9yZ2Vk' }), 401);
    // the delivery's run ends before the pages look: greeter has 4 succeeded runs
    for (let i = 0; i < 500; i++) {
      const runs = await c.runs.list({ automation: 'greeter' });
      if (runs.total === 4 && runs.items.every((r) => r.status === 'succeeded')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });


  test('the list: status, triggers with the next fire in their zone, the strip, success rate, cost; search and status filter in the URL', async () => {
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/');
    const row = (name: string) => page.locator(`tr[data-automation="${name}"]`);
    await row('greeter').getByTestId('run-strip').waitFor();
    assert.deepEqual(await row('greeter').locator('.rota-strip-mark').evaluateAll((marks) => marks.map((m) => m.getAttribute('data-status'))), ['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    assert.deepEqual(await row('flaky').locator('.rota-strip-mark').evaluateAll((marks) => marks.map((m) => m.getAttribute('data-status'))), ['failed', 'failed']);
    assert.equal((await row('greeter').getByTestId('success-rate').innerText()).trim(), '100%');
    assert.equal((await row('flaky').getByTestId('success-rate').innerText()).trim(), '0%');
    assert.match(await row('greeter').innerText(), /\$0/);
    assert.equal(await row('greeter').getByRole('link', { name: /Last 4 runs: 4 succeeded/ }).count(), 1);
    // the next fire: the trigger's zone on the page, UTC on hover
    const next = (await server.client.automations.get('greeter')).triggers.find((t) => t.id === 'morning')!.next_fire_at!;
    const time = row('greeter').locator('time[data-zone="Europe/Paris"]');
    assert.equal(await time.getAttribute('datetime'), next);
    assert.match(await time.innerText(), /Europe\/Paris/);
    assert.match((await time.getAttribute('title')) ?? '', /UTC/);
    assert.match(await row('nightly-report').innerText(), /paused/i);
    await assertAxeClean(page, 'the automations list');

    await page.getByRole('searchbox', { name: 'Search automations' }).fill('flak');
    await page.waitForURL(/[?&]q=flak/);
    await row('greeter').waitFor({ state: 'detached' });
    assert.equal(await page.locator('tr[data-automation]').count(), 1);
    await page.getByRole('searchbox', { name: 'Search automations' }).fill('');
    await row('greeter').waitFor();
    await page.locator('label', { hasText: /^Paused$/ }).click();
    await page.waitForURL(/[?&]status=paused/);
    await row('greeter').waitFor({ state: 'detached' });
    assert.deepEqual(await page.locator('tr[data-automation]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-automation'))), ['nightly-report']);
    // a shared link opens filtered
    await page.goto(`${server.url}/?q=zzz`);
    await page.getByText('Nothing matches “zzz”').waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a fresh workspace explains how to create the first automation, and its example applies as it is', async () => {
    await server.client.workspaces.create('fresh');
    const { context, page, errors } = await newPage(browser);
    await page.goto(`${server.url}/`);
    await page.getByLabel('Token').fill(server.token);
    await page.getByLabel('Workspace').fill('fresh');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const first = page.getByTestId('first-automation');
    await first.waitFor();
    const text = await first.innerText();
    assert.match(text, /Create your first automation/);
    assert.match(text, /rota apply -f hello\.yaml/);
    assert.match(text, /rota init/);
    assert.doesNotMatch(text, new RegExp(server.token), 'the token is never shown');
    assert.equal(await page.locator('table').count(), 0, 'not a blank table');
    assert.equal(await first.locator('.rota-yaml-comment').count(), 2, 'comments are highlighted');
    await assertAxeClean(page, 'the first screen');
    const yaml = await first.getByTestId('yaml').innerText();
    const fresh = createClient({ url: server.url, token: server.token, workspace: 'fresh' });
    assert.deepEqual(await fresh.automations.validate(yaml), { valid: true });
    await fresh.automations.apply('hello', yaml);
    await page.reload();
    await page.locator('tr[data-automation="hello"]').waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the definition as highlighted YAML; the diff between versions 1 and 2 shows the changed line', async () => {
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/automations/greeter?tab=definition');
    const yaml = page.getByTestId('yaml');
    await yaml.waitFor();
    const keys = await yaml.locator('.rota-yaml-key').allInnerTexts();
    for (const key of ['name', 'inputs', 'triggers', 'steps', 'cron', 'timezone']) assert.ok(keys.includes(key), `key ${key} highlighted (${keys.join(' ')})`);
    assert.ok((await yaml.locator('.rota-yaml-number').allInnerTexts()).includes('5'), 'pause_after_failures: 5 is a number');
    assert.deepEqual(await yaml.locator('.rota-yaml-template').allInnerTexts(), ['{{ inputs.who }}']);
    assert.ok((await yaml.locator('.rota-yaml-string').allInnerTexts()).includes('Europe/Paris'));
    assert.doesNotMatch(await yaml.innerText(), /MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw/, 'the webhook secret is never shown');
    await assertAxeClean(page, 'the definition tab');

    await page.getByRole('tab', { name: /Versions/ }).click();
    const diff = page.getByTestId('diff');
    await diff.waitFor();
    assert.match(page.url(), /tab=versions/);
    assert.equal(await diff.locator('[data-diff="removed"]').count(), 1);
    assert.match(await diff.locator('[data-diff="removed"]').innerText(), /text: Hello, \{\{ inputs\.who \}\}!/);
    assert.equal(await diff.locator('[data-diff="added"]').count(), 1);
    assert.match(await diff.locator('[data-diff="added"]').innerText(), /text: Hi, \{\{ inputs\.who \}\}!/);
    assert.equal(await diff.locator('[data-diff]').count() < 20, true, 'unchanged lines are folded');
    await assertAxeClean(page, 'the versions tab');
    // the other way round, from a link
    await page.goto(`${server.url}/automations/greeter?tab=versions&a=2&b=1`);
    await page.getByTestId('diff').locator('[data-diff="added"]').filter({ hasText: 'Hello' }).waitFor();
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('triggers: next fires in the zone (UTC on hover), the webhook URL, its deliveries with the rejected ones and their reasons, the enable switch', async () => {
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/automations/greeter?tab=triggers');
    const morning = page.locator('[data-trigger="morning"]').last();
    const fires = morning.getByTestId('next-fires').locator('time');
    await fires.first().waitFor();
    const [preview] = await server.client.triggers.preview('greeter', { count: 5 });
    assert.deepEqual(await fires.evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime'))), preview!.next);
    assert.match(await fires.first().innerText(), /Europe\/Paris/);
    await fires.first().hover();
    await page.getByRole('tooltip').filter({ hasText: /UTC/ }).waitFor();

    const hook = page.locator('[data-trigger="hook"]').last();
    assert.equal(await hook.getByTestId('webhook-url').innerText(), `${server.url}${hookPath}`);
    assert.match(await hook.innerText(), /Standard Webhooks/);
    const rows = hook.locator('tr[data-outcome]');
    await rows.first().waitFor();
    assert.deepEqual((await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute('data-outcome')))).sort(), ['accepted', 'rejected']);
    assert.match(await hook.locator('tr[data-outcome="rejected"]').innerText(), /invalid_json/);
    assert.equal(await hook.locator('tr[data-outcome="accepted"]').getByRole('link').count(), 1, 'the accepted delivery links to its run');
    const refused = hook.getByTestId('unauthenticated');
    assert.match(await refused.innerText(), /1 request refused before authentication/);
    assert.match(await refused.innerText(), /bad_signature/);
    await assertAxeClean(page, 'the triggers tab');

    await morning.getByRole('switch', { name: 'Trigger morning enabled' }).click({ force: true });
    await morning.getByText('Disabled', { exact: true }).waitFor();
    assert.equal((await server.client.triggers.list('greeter')).find((t) => t.id === 'morning')!.enabled, false);
    await morning.getByRole('switch', { name: 'Trigger morning enabled' }).click({ force: true });
    await morning.getByText('Enabled', { exact: true }).waitFor();
    assert.equal((await server.client.triggers.list('greeter')).find((t) => t.id === 'morning')!.enabled, true);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('pause, then resume, from the page (checked through the API)', async () => {
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, server.token, '/automations/greeter');
    await page.getByTestId('breaker-card').waitFor();
    assert.match(await page.getByTestId('breaker-card').innerText(), /0 of 5 failures in a row/);
    assert.match(await page.getByTestId('budget-card').innerText(), /\$0 of \$1\.00/);
    await assertAxeClean(page, 'the overview');
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('button', { name: 'Resume' }).waitFor();
    assert.equal((await server.client.automations.get('greeter')).status, 'paused');
    assert.match(await page.getByTestId('status-card').innerText(), /Paused by hand/);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor();
    assert.equal((await server.client.automations.get('greeter')).status, 'active');
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('the run form: an invalid value shows its field\'s error and starts no run; the server\'s errors land on fields too; a valid one lands on the new run', async () => {
    const { context, page, errors } = await newPage(browser);
    const started: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().includes('/api/v1/automations/greeter/runs')) started.push(r.url());
    });
    const before = (await server.client.runs.list({ automation: 'greeter' })).total;
    await signIn(page, server.url, server.token, '/automations/greeter?tab=run');
    const times = page.getByLabel('times');
    await times.fill('0');
    await page.getByLabel('tags').fill('["a", 1]');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.getByText('must be >= 1').waitFor();
    assert.equal(await times.getAttribute('aria-invalid'), 'true');
    assert.match(await page.getByText('[1]: must be string').innerText(), /must be string/);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id), await times.getAttribute('id'), 'the first invalid field has the focus');
    await page.getByLabel('tags').fill('["a"');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.getByText(/not valid JSON/).waitFor();
    await assertAxeClean(page, 'the run form with errors');
    assert.deepEqual(started, [], 'nothing was sent');
    assert.equal((await server.client.runs.list({ automation: 'greeter' })).total, before);

    // a keyword only the server checks (`not`): its 400 lands on the field, and no run exists either
    await times.fill('3');
    await page.getByLabel('tags').fill('["a"]');
    await page.getByLabel('code').fill('forbidden');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.getByText(/must NOT be valid/).waitFor();
    assert.equal(await page.getByLabel('code').getAttribute('aria-invalid'), 'true');
    assert.equal(started.length, 1);
    assert.equal((await server.client.runs.list({ automation: 'greeter' })).total, before);

    await page.getByLabel('code').fill('ok');
    await page.getByLabel('who').fill('Ada');
    await page.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(/\/runs\/[0-9A-Z]{26}$/);
    const id = page.url().split('/').pop()!;
    const run = await server.client.runs.get(id);
    assert.equal(run.automation, 'greeter');
    assert.deepEqual(run.inputs, { who: 'Ada', times: 3, tone: 'warm', loud: false, tags: ['a'], code: 'ok' });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a read-only token sees no write action', async () => {
    const reader = await server.client.tokens.create('reader', ['automations:read', 'runs:read']);
    const { context, page, errors } = await newPage(browser);
    await signIn(page, server.url, reader.token, '/automations/greeter?tab=triggers');
    await page.locator('[data-trigger="morning"]').last().getByText('enabled', { exact: true }).waitFor();
    assert.equal(await page.getByRole('switch').count(), 0);
    assert.equal(await page.getByRole('button', { name: /Pause|Resume/ }).count(), 0);
    assert.equal(await page.getByRole('tab', { name: 'Run' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Run…' }).count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a narrow window (420 px) and the dark theme: nothing overflows sideways, axe is clean', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { context, page, errors } = await newPage(browser, { width: 420, height: 860, colorScheme });
      await signIn(page, server.url, server.token, '/');
      await page.locator('[data-automation="greeter"]').getByTestId('run-strip').waitFor();
      await assertNoSidewaysScroll(page);
      await page.screenshot({ path: join(tmpdir(), `rota-web-automations-list-${colorScheme}-420.png`), fullPage: true });
      await assertAxeClean(page, `the narrow list (${colorScheme})`);
      for (const tab of ['overview', 'triggers', 'versions']) {
        await page.goto(`${server.url}/automations/greeter?tab=${tab}`);
        await page.getByRole('tab', { name: /Overview/ }).waitFor();
        await page.getByRole('tabpanel').locator('table, [data-testid="diff"], [data-trigger]').first().waitFor();
        await assertNoSidewaysScroll(page);
        await page.screenshot({ path: join(tmpdir(), `rota-web-automation-${tab}-${colorScheme}-420.png`), fullPage: true });
        await assertAxeClean(page, `the narrow ${tab} tab (${colorScheme})`);
      }
      assert.deepEqual(errors, []);
      await context.close();
    }
  });
});
