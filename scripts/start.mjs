// `npm start`: build if needed, then serve Rota on SQLite in ./.rota with examples/ applied.
// For this local quick start the admin token is kept in .rota/admin.token so every start can
// print it; `rota serve` itself prints a generated token only once, on first start.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });

const dataDir = process.env.ROTA_DATA_DIR ?? join(process.cwd(), '.rota');
mkdirSync(dataDir, { recursive: true });
const tokenFile = join(dataDir, 'admin.token');
let token = process.env.ROTA_ADMIN_TOKEN;
if (!token) {
  if (!existsSync(tokenFile)) writeFileSync(tokenFile, `rota_${randomBytes(30).toString('base64url')}\n`, { mode: 0o600 });
  token = readFileSync(tokenFile, 'utf8').trim();
}
const child = spawn(process.execPath, [join(root, 'bin', 'rota.js'), 'serve', '--watch', join(root, 'examples'), ...process.argv.slice(2)], {
  stdio: ['inherit', 'pipe', 'inherit'],
  env: { ...process.env, ROTA_DATA_DIR: dataDir, ROTA_ADMIN_TOKEN: token },
});
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  if (String(chunk).includes('Rota listening on')) {
    process.stdout.write(`admin token: ${token}\n(export ROTA_TOKEN=${token} to use the CLI)\n`);
  }
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
