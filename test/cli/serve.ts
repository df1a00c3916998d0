/**
 * Test helpers that drive the built binary: `startServe` spawns `node bin/rota.js serve` on a free
 * port with a temp data dir; `runCli` runs one CLI command. Shared by the CLI and crash tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = join(ROOT, 'bin', 'rota.js');

export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('dist/ is missing: run npm run build before these tests');
}

/** process.env without ROTA_* (and OTEL_*) variables, so a developer's settings never leak into a test. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('ROTA_') && !key.startsWith('OTEL_')) env[key] = value;
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

export function tempDir(prefix = 'rota-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function randomToken(): string {
  return `rota_test_${randomBytes(16).toString('hex')}`;
}

export interface ServeOptions {
  /** default: a new temp dir */
  dataDir?: string;
  /** a fixed admin token (ROTA_ADMIN_TOKEN; default: a random one); null: read the token printed on first start */
  adminToken?: string | null;
  /** extra environment (ROTA_LEASE_MS, ...) */
  env?: Record<string, string | undefined>;
  /** the command to run instead of `serve` (`dev`) */
  command?: string;
  /** extra `serve` arguments (`--watch DIR`, ...) */
  args?: string[];
  cwd?: string;
  /** how long to wait for "Rota listening on"; default 30s */
  timeoutMs?: number;
}

export interface Served {
  url: string;
  /** the fixed token, or the printed one (null when none was printed: not a first start) */
  adminToken: string | null;
  dataDir: string;
  child: ChildProcess;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** environment for `runCli` against this server (ROTA_URL, ROTA_TOKEN, ROTA_DATA_DIR) */
  cliEnv(): Record<string, string>;
  kill(signal?: NodeJS.Signals): void;
  /** resolves when the process has exited */
  wait(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `ms` if still alive */
  stop(ms?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function startServe(options: ServeOptions = {}): Promise<Served> {
  assertBuilt();
  const dataDir = options.dataDir ?? tempDir();
  const fixedToken = options.adminToken === undefined ? randomToken() : options.adminToken;
  const env = cleanEnv({ ROTA_DATA_DIR: dataDir, ROTA_PORT: '0', ROTA_LOG_LEVEL: 'warn', ROTA_ADMIN_TOKEN: fixedToken ?? undefined, ...options.env });
  const child = spawn(process.execPath, [BIN, options.command ?? 'serve', ...(options.args ?? [])], { env, cwd: options.cwd ?? dataDir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await waitForLine(() => out, /^Rota listening on (\S+)/m, exited, options.timeoutMs ?? 30_000, () => err);
  const printed = fixedToken === null ? await tokenLine(() => out, exited) : null;
  const served: Served = {
    url,
    adminToken: fixedToken ?? printed,
    dataDir,
    child,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    cliEnv: () => ({ ROTA_URL: url, ROTA_TOKEN: served.adminToken ?? '', ROTA_DATA_DIR: dataDir }),
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    wait: () => exited,
    stop: async (ms = 15_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), ms);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
  return served;
}

async function waitForLine(
  text: () => string,
  pattern: RegExp,
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  timeoutMs: number,
  stderr: () => string,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let gone: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  void exited.then((r) => (gone = r));
  for (;;) {
    const match = pattern.exec(text());
    if (match) return match[1]!;
    if (gone) throw new Error(`rota serve exited (${JSON.stringify(gone)}) before listening:\n${text()}\n${stderr()}`);
    if (Date.now() > deadline) throw new Error(`rota serve did not listen within ${timeoutMs}ms:\n${text()}\n${stderr()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The admin token line follows the listening line at once when it is printed at all. */
async function tokenLine(text: () => string, exited: Promise<unknown>): Promise<string | null> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + 2_000;
  while (Date.now() < deadline && !gone) {
    const match = /^admin token: (\S+)/m.exec(text());
    if (match) return match[1]!;
    await new Promise((r) => setTimeout(r, 25));
  }
  return null;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node bin/rota.js ...args` and resolves with its exit code and output. */
export function runCli(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number; stdin?: string } = {}): Promise<CliResult> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(options.env), cwd: options.cwd ?? ROOT, stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    child.stdin?.end(options.stdin);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rota ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A TCP port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * JSON calls to the `/api/v1` of whichever server `served()` returns now (crash tests restart it),
 * with the admin `token`; the body is the parsed JSON, or null when empty.
 */
export function servedApi(served: () => Served | null, token: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> => {
    const current = served();
    if (current === null) throw new Error('no server is running');
    const response = await fetch(`${current.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as any) : null };
  };
}
