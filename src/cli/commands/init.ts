import type { Command } from 'commander';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ExitError, type Io } from '../context.js';
import { STARTER_FILES } from '../starter/files.js';

/** `rota init [dir]`: writes a starter project; never overwrites a file without `--force`. */
export function registerInit(program: Command, io: Io): void {
  program
    .command('init [dir]')
    .description('write a starter project: rota.config.yaml, automations/ (one example per trigger kind), .gitignore')
    .option('--force', 'overwrite files that already exist')
    .action((dir: string | undefined, options: { force?: boolean }) => {
      const root = resolve(dir ?? '.');
      const existing = STARTER_FILES.filter((f) => existsSync(join(root, f.path))).map((f) => f.path);
      if (existing.length > 0 && !options.force) {
        throw new ExitError(2, `rota init: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''} in ${root}; nothing was written (run with --force to overwrite)`);
      }
      for (const file of STARTER_FILES) {
        const path = join(root, file.path);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, file.text);
        io.out(`${existing.includes(file.path) ? 'overwrote' : 'wrote'} ${file.path}`);
      }
      const cd = dir ? `cd ${dir} && ` : '';
      io.out('');
      io.out(`Next: ${cd}npx rota dev`);
      io.out('  serves on http://127.0.0.1:7070, applies automations/ and re-applies a file when you save it;');
      io.out('  then, with the admin token it prints: ROTA_TOKEN=rota_... npx rota run hello --input who=Ada --wait');
    });
}
