#!/usr/bin/env node
// The `rota` command. The CLI is compiled TypeScript: `npm run build` writes dist/.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/bundle/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('rota: the CLI is not built; run npm run build first\n');
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
// Exit explicitly: keep-alive sockets or engine timers must not hold a finished command open.
process.exit(code);
