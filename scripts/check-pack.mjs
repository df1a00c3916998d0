/* global setTimeout, fetch */
// The package as a stranger installs it: `npm pack`, then `npm install <tarball>` into an empty
// temp directory, then `npx rota --help` and `npx rota serve` answering /healthz there, far from
// this repository. Dependencies come from the registry (--prefer-offline uses the npm cache);
// better-sqlite3 may compile from source (~1 min), so CI runs this after the test suite.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'rota-pack-'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const step = (name) => console.log(`check-pack: ${name}`);
const timed = (name, fn) => {
  const start = Date.now();
  const result = fn();
  console.log(`check-pack: ${name}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
  return result;
};

try {
  const packed = timed('npm pack', () => JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })));
  const tarball = join(work, packed[0].filename);
  step(`${packed[0].filename}: ${packed[0].entryCount} files, ${(packed[0].size / 1024).toFixed(0)} KiB`);
  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  execFileSync(npm, ['init', '-y'], { cwd: app, stdio: 'ignore' });
  timed('npm install <tarball>', () => execFileSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: app, stdio: 'inherit' }));
  const help = execFileSync('npx', ['--no-install', 'rota', '--help'], { cwd: app, encoding: 'utf8' });
  if (!/rota serve|serve \[options\]|\bserve\b/.test(help) || !/\binit\b/.test(help)) throw new Error(`rota --help does not list serve and init:\n${help}`);
  step('npx rota --help lists the commands');
  await serveAndCheck(app);
  step('ok');
} finally {
  rmSync(work, { recursive: true, force: true });
}

async function serveAndCheck(app) {
  const env = { ...process.env, ROTA_PORT: '0', ROTA_DATA_DIR: join(app, '.rota'), ROTA_LOG_LEVEL: 'warn' };
  // its own process group: npx runs rota through a shell, and the signal must reach rota itself
  const child = spawn('npx', ['--no-install', 'rota', 'serve'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s) => (err += s));
  try {
    const deadline = Date.now() + 30_000;
    let url = null;
    while (!url) {
      url = /^Rota listening on (\S+)/m.exec(out)?.[1] ?? null;
      if (child.exitCode !== null) throw new Error(`npx rota serve exited ${child.exitCode}:\n${out}\n${err}`);
      if (Date.now() > deadline) throw new Error(`npx rota serve did not listen within 30 s:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const health = await fetch(`${url}/healthz`);
    if (health.status !== 200) throw new Error(`GET /healthz answered ${health.status}: ${await health.text()}`);
    step(`npx rota serve answers /healthz on ${url}`);
    // the web UI ships in the package: the page and the script it loads
    const page = await fetch(`${url}/`);
    const html = await page.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    if (page.status !== 200 || !script) throw new Error(`GET / answered ${page.status} without the web UI's script:\n${html.slice(0, 500)}`);
    const js = await fetch(`${url}${script}`);
    if (js.status !== 200) throw new Error(`GET ${script} answered ${js.status}`);
    step(`npx rota serve serves the web UI at ${url}/`);
  } finally {
    if (child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    await exited;
  }
}
