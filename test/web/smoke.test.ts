import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertAxeClean, launchBrowser, newPage, signIn, startWebServer, type WebServer } from './browser.js';

describe('web UI: served by rota serve', () => {
  let browser: Browser;
  let server: WebServer;
  before(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startWebServer()]);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('GET / is the app; API, hooks and assets keep their own answers', async () => {
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    const html = await page.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, html);
    const js = await fetch(`${server.url}${asset}`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    assert.equal(js.headers.get('content-encoding'), 'gzip'); // fetch asks for it, and unpacks it
    assert.match(await js.text(), /\bimport\b|function/);
    // a deep link loads the app too
    assert.equal((await fetch(`${server.url}/runs/01JABCDEFGHJKMNPQRSTVWXYZ0`)).status, 200);
    // a missing asset is a 404, not the page
    assert.equal((await fetch(`${server.url}/assets/gone.js`)).status, 404);
    assert.equal((await fetch(`${server.url}/api/v1/nope`)).status, 401);
    const api = await fetch(`${server.url}/api/v1/nope`, { headers: { authorization: `Bearer ${server.token}` } });
    assert.equal(api.status, 404);
    assert.match(api.headers.get('content-type') ?? '', /json/);
    assert.equal((await fetch(`${server.url}/api/v1/automations`)).status, 401);
  });

  test('signs in with a token; a wrong token is refused with the server\'s message', async () => {
    const { context, page, errors } = await newPage(browser);
    await page.goto(`${server.url}/`);
    await page.getByLabel('Token').fill('rota_wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText(/unauthenticated|token/i).first().waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0);
    await signIn(page, server.url, server.token);
    await assertAxeClean(page);
    assert.deepEqual(errors, []);
    await context.close();
  });

  test('a server that does not answer whoami is said so, with a retry, instead of loading forever', async () => {
    const { context, page } = await newPage(browser);
    await context.addInitScript(`localStorage.setItem('rota.token', ${JSON.stringify(server.token)})`);
    let refuse = true;
    await page.route('**/api/v1/whoami', (route) => (refuse ? route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unavailable', message: 'the database is not reachable', details: null } }) }) : route.continue()));
    await page.goto(`${server.url}/`);
    await page.getByText('the database is not reachable').waitFor();
    refuse = false;
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await context.close();
  });

  test('a stored token the server refuses sends the browser back to the sign-in page with the reason', async () => {
    const { context, page, errors } = await newPage(browser);
    await context.addInitScript(`if (!sessionStorage.getItem('seeded')) { sessionStorage.setItem('seeded', '1'); localStorage.setItem('rota.token', 'rota_revoked_or_unknown'); }`);
    await page.goto(`${server.url}/runs`);
    await page.getByText(/The stored token was refused/).waitFor();
    await page.getByLabel('Token').waitFor();
    assert.equal(await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('rota.token')), null);
    assert.deepEqual(errors, []);
    await context.close();
  });
});
