/**
 * Browser tests: Playwright (playwright-core) driving Debian's Chromium against a real `rota serve`
 * (test/cli/serve.ts). One browser per test file; a fresh context (empty storage) per test.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { createClient, type RotaClient } from '../../src/client/index.js';
import { startServe, tempDir, type Served, type ServeOptions } from '../cli/serve.js';
import { eventually } from '../support/node.js';
import { createPostgresSchema } from '../support/postgres.js';

export const CHROMIUM = process.env.ROTA_CHROMIUM ?? '/usr/bin/chromium';

/** The flags this machine needs: no sandbox as root, no background connections to a closed network. */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

export interface WebServer {
  served: Served;
  url: string;
  token: string;
  client: RotaClient;
  stop(): Promise<void>;
}

/**
 * A real `rota serve` on a fresh SQLite file, or on a fresh PostgreSQL schema. `config` is the text
 * of a `rota.config.yaml` written into its data directory first (providers of an LLM stand-in, say).
 */
export async function startWebServer(dialect: 'sqlite' | 'postgres' = 'sqlite', options: ServeOptions & { config?: string } = {}): Promise<WebServer> {
  const pg = dialect === 'postgres' ? await createPostgresSchema() : null;
  const dataDir = options.dataDir ?? tempDir('rota-web-');
  if (options.config) writeFileSync(join(dataDir, 'rota.config.yaml'), options.config);
  const served = await startServe({ ...options, dataDir, env: { ...(pg ? { ROTA_DATABASE_URL: pg.url } : {}), ...options.env } });
  const token = served.adminToken!;
  return {
    served,
    url: served.url,
    token,
    client: createClient({ url: served.url, token }),
    stop: async () => {
      await served.stop();
      await pg?.drop();
    },
  };
}

export async function newPage(browser: Browser, options: { width?: number; height?: number; colorScheme?: 'light' | 'dark' } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: options.height ?? 800 }, colorScheme: options.colorScheme ?? 'light' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // an error answer the page shows (a refused token, a 409) is not a page fault
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(`console: ${msg.text()}`);
  });
  return { context, page, errors };
}

/**
 * A page signed in as the sign-in form leaves the browser (the token in local storage), showing
 * `path` once the app's navigation is there.
 */
export async function openSignedIn(
  browser: Browser,
  url: string,
  token: string,
  path: string,
  options: { width?: number; height?: number; colorScheme?: 'light' | 'dark'; before?: (page: Page) => Promise<unknown> } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const opened = await newPage(browser, options);
  await opened.context.addInitScript(`localStorage.setItem('rota.token', ${JSON.stringify(token)})`);
  await options.before?.(opened.page);
  await opened.page.goto(`${url}${path}`);
  await opened.page.getByRole('navigation', { name: 'Main' }).waitFor();
  return opened;
}

/** Signs in through the sign-in form, then waits for the app's navigation. */
export async function signIn(page: Page, url: string, token: string, path = '/'): Promise<void> {
  await page.goto(`${url}${path}`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

const require = createRequire(import.meta.url);
let axeSource: string | null = null;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; html: string }[];
}

/**
 * Runs axe-core in the page and returns its serious and critical violations (evaluated through the
 * DevTools protocol, so the page's CSP, which forbids inline scripts, does not stop it).
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(`${axeSource}\n;void 0`);
  // runs in the page (the tests compile without the DOM's types: globalThis is the window there)
  const violations = await page.evaluate(async () => {
    const win = globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: AxeViolation[] }> }; document: unknown };
    const result = await win.axe.run(win.document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, html: n.html.slice(0, 200) })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** A readable message for an assertion on axe's result. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `  ${JSON.stringify(n.target)} ${n.html}`).join('\n')}`).join('\n');
}

/** Fails with axe's serious and critical violations of the page, described, under `what`. */
export async function assertAxeClean(page: Page, what = 'the page'): Promise<void> {
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], `${what}:\n${describeViolations(violations)}`);
}

/** Fails when the page itself is wider than the window (wide content must scroll in its own box). */
export async function assertNoSidewaysScroll(page: Page): Promise<void> {
  const [scroll, client] = await page.evaluate(() => {
    const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return [doc.scrollWidth, doc.clientWidth];
  });
  assert.ok(scroll <= client + 1, `page ${scroll} px wide in a ${client} px window`);
}

/** `eventually` with the browser tests' longer default (15 s) and the description first. */
export function until<T>(what: string, check: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  return eventually(check, ms, what);
}
