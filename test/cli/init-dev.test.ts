/**
 * `rota init` + `rota dev` through the real binary in a temp dir: the starter project is written
 * (and not overwritten without --force), dev applies every example, a manual run succeeds through
 * the API, and an edited file is re-applied.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomToken, runCli, startServe, tempDir } from './serve.js';

const EXAMPLES = ['hello', 'nightly-report', 'incoming-order', 'welcome-user'];

async function until<T>(check: () => T | undefined, what: string, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('rota init writes a starter project, refuses to overwrite it, and --force rewrites it', async () => {
  const dir = tempDir('rota-init-');
  const first = await runCli(['init'], { cwd: dir });
  assert.equal(first.code, 0, first.stderr);
  for (const path of ['rota.config.yaml', '.gitignore', ...EXAMPLES.map((n) => `automations/${n}.yaml`)]) {
    assert.ok(existsSync(join(dir, path)), `${path} written`);
    assert.match(first.stdout, new RegExp(`wrote ${path.replace('.', '\\.')}`));
  }
  assert.match(first.stdout, /Next: npx rota dev/);
  assert.match(readFileSync(join(dir, '.gitignore'), 'utf8'), /^\.rota\/$/m);
  writeFileSync(join(dir, 'automations', 'hello.yaml'), '# mine\n');
  const again = await runCli(['init'], { cwd: dir });
  assert.equal(again.code, 2);
  assert.match(again.stderr, /rota\.config\.yaml, .*already exist.*nothing was written \(run with --force to overwrite\)/);
  assert.equal(readFileSync(join(dir, 'automations', 'hello.yaml'), 'utf8'), '# mine\n');
  const forced = await runCli(['init', '--force'], { cwd: dir });
  assert.equal(forced.code, 0, forced.stderr);
  assert.match(forced.stdout, /overwrote automations\/hello\.yaml/);
  assert.match(readFileSync(join(dir, 'automations', 'hello.yaml'), 'utf8'), /name: hello/);
});

test('rota dev outside a project says to run rota init, and creates nothing', async () => {
  const dir = tempDir('rota-dev-empty-');
  const res = await runCli(['dev', '--port', '0'], { cwd: dir });
  assert.equal(res.code, 2);
  assert.match(res.stderr, /automations does not exist: run `rota init` here first/);
  assert.equal(existsSync(join(dir, '.rota')), false, 'no data dir was created');
});

test('rota dev serves the starter project: examples applied, a manual run succeeds, an edit is picked up', async (t) => {
  const dir = tempDir('rota-dev-');
  assert.equal((await runCli(['init'], { cwd: dir })).code, 0);
  const token = randomToken();
  const dev = await startServe({ command: 'dev', cwd: dir, dataDir: join(dir, '.rota'), adminToken: token, args: ['--port', '0'], env: { ROTA_LOG_LEVEL: 'info' } });
  t.after(() => dev.stop());
  for (const name of EXAMPLES) await until(() => (dev.stdout().includes(`watch: ${name}: created`) ? true : undefined), `${name} applied:\n${dev.stdout()}\n${dev.stderr()}`);
  assert.doesNotMatch(dev.stderr(), /"level":/, 'pretty logs, not JSON lines');
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const started = await fetch(`${dev.url}/api/v1/automations/hello/runs?wait=10s`, { method: 'POST', headers, body: JSON.stringify({ inputs: { who: 'Ada' } }) });
  assert.equal(started.status, 201, await started.clone().text());
  const run = (await started.json()) as { status: string; id: string };
  assert.equal(run.status, 'succeeded');
  const read = (await (await fetch(`${dev.url}/api/v1/runs/${run.id}`, { headers })).json()) as { steps: { id: string; output: unknown }[] };
  assert.deepEqual(read.steps.find((s) => s.id === 'greet')?.output, { text: 'Hello, Ada!' });
  const file = join(dir, 'automations', 'hello.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('Hello, ', 'Hi, '));
  await until(() => (dev.stdout().includes('watch: hello: updated (version 2)') ? true : undefined), `the edit re-applied:\n${dev.stdout()}\n${dev.stderr()}`);
});
