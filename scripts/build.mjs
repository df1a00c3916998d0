// Compiles src/ to dist/src/ with tsc. Skips the work when dist is newer than every source file.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const force = process.argv.includes('--force');

function newest(dir) {
  let max = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    max = Math.max(max, st.isDirectory() ? newest(path) : st.mtimeMs);
  }
  return max;
}

await buildWeb();

const stamp = join(root, 'dist', '.build-stamp');
const inputs = Math.max(newest(join(root, 'src')), statSync(join(root, 'tsconfig.json')).mtimeMs, statSync(join(root, 'package.json')).mtimeMs);
if (!force && existsSync(stamp) && statSync(stamp).mtimeMs >= inputs) {
  process.exit(0);
}
execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });

// `rota/schema.json`, the definition JSON Schema editors read, from the schema that validates
// (committed too, so the examples' `$schema` line works in a checkout; a test keeps it in sync).
const { definitionSchemaFileText } = await import(new URL('../dist/src/node/definition-schema.js', import.meta.url).href);
const schemaFile = join(root, 'schema.json');
const schemaText = definitionSchemaFileText();
if (!existsSync(schemaFile) || readFileSync(schemaFile, 'utf8') !== schemaText) writeFileSync(schemaFile, schemaText);

// The `rota` binary runs a bundle: one module graph instead of ~900 files cut the memory of a
// serving node by ~20 MB (Kysely alone is 20 MB as separate modules). Code loaded on first use
// (the CLI's serve/db/doctor commands) stays in separate chunks; the LLM and MCP SDKs and the
// native SQLite binding stay packages.
const { build } = await import('esbuild');
await build({
  entryPoints: [join(root, 'src', 'cli', 'main.ts')],
  outdir: join(root, 'dist', 'bundle'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  packages: 'bundle',
  external: ['better-sqlite3', 'pg-native', 'ai', '@ai-sdk/*', '@modelcontextprotocol/*'],
  banner: { js: "import { createRequire as __rotaCreateRequire } from 'node:module'; const require = __rotaCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
writeFileSync(stamp, new Date().toISOString());

/**
 * The web UI (web/ → dist/web/, served by `rota serve` at `/`), rebuilt when web/ or the client it
 * imports (src/client) changed since the last build.
 */
async function buildWeb() {
  const web = join(root, 'web');
  const webStamp = join(root, 'dist', '.web-stamp');
  const webInputs = Math.max(newest(join(web, 'src')), newest(join(root, 'src', 'client')), statSync(join(web, 'index.html')).mtimeMs, statSync(join(web, 'vite.config.ts')).mtimeMs, statSync(join(root, 'package.json')).mtimeMs);
  if (!force && existsSync(webStamp) && existsSync(join(root, 'dist', 'web', 'index.html')) && statSync(webStamp).mtimeMs >= webInputs) return;
  const vite = await import('vite');
  await vite.build({ configFile: join(web, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(webStamp, new Date().toISOString());
}
