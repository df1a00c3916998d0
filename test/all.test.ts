// The one test entry: every `*.test.ts` under test/ runs in this single process (one process per
// file costs ~0.25 s each on 2 cores). Set ROTA_TEST_FILTER=substring to run a subset.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const filter = process.env.ROTA_TEST_FILTER ?? '';

function collect(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith('.test.ts') && path !== join(root, 'all.test.ts')) out.push(path);
  }
  return out;
}

for (const file of collect(root)) {
  if (filter && !relative(root, file).includes(filter)) continue;
  await import(pathToFileURL(file).href);
}
