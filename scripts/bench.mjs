// `npm run bench`: bundles the benchmarks like the `rota` binary (see build.mjs) and runs them
// with plain node, so the measured process holds what a serving node holds and no transpiler.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const outdir = join(root, 'dist', 'bench');
const BENCHES = ['run', 'scheduler', 'webhooks', 'metrics', 'retention', 'tracing', 'saved', 'web-runs', 'web'];
await build({
  entryPoints: BENCHES.map((name) => join(root, 'bench', `${name}.ts`)),
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'bundle',
  external: ['better-sqlite3', 'pg-native', 'ai', '@ai-sdk/*', '@modelcontextprotocol/*', 'playwright-core'],
  banner: { js: "import { createRequire as __rotaCreateRequire } from 'node:module'; const require = __rotaCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
// BENCH_ONLY=scheduler,webhooks runs a subset (tracing: throughput with tracing on versus off).
const only = process.env.BENCH_ONLY?.split(',');
for (const name of BENCHES.filter((n) => !only || only.includes(n))) execFileSync(process.execPath, [join(outdir, `${name}.js`)], { stdio: 'inherit', env: process.env });
