/** `rota serve --watch DIR`: definition files applied as `source: file`, re-applied when they change. */
import { watch, type FSWatcher, readFileSync, existsSync } from 'node:fs';
import type { RotaService } from '../node/service.js';
import type { Io } from './context.js';
import { isDefinitionFile, listDefinitionFiles, readDefinitionFile } from './definition-files.js';
import { reportError } from './report-error.js';

const DEBOUNCE_MS = 200;

export interface DefinitionWatcher {
  close(): void;
}

/**
 * Applies every definition file under `dir` (once at start, then after each change settles). Only
 * files whose text changed since their last apply are sent again, so an editor's burst of writes
 * costs one apply; an invalid file is reported and skipped, never fatal.
 */
export async function loadAndWatch(rota: RotaService, workspaceId: string, dir: string, io: Io): Promise<DefinitionWatcher> {
  const applied = new Map<string, string>();
  const sync = async () => {
    for (const file of listDefinitionFiles(dir)) await applyFile(rota, workspaceId, file, applied, io);
  };
  await sync();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> = Promise.resolve();
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dir, { recursive: true }, (_event, name) => {
      if (name && !isDefinitionFile(String(name))) return;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        running = running.then(sync).catch((err: unknown) => void reportError(io, err));
      }, DEBOUNCE_MS);
    });
    watcher.on('error', (err) => io.err(`watch: ${dir}: ${err.message}`));
  } catch (err) {
    io.err(`watch: cannot watch ${dir}: ${(err as Error).message}; definitions were loaded once`);
  }
  return {
    close: () => {
      if (timer) clearTimeout(timer);
      watcher?.close();
    },
  };
}

async function applyFile(rota: RotaService, workspaceId: string, file: string, applied: Map<string, string>, io: Io): Promise<void> {
  if (!existsSync(file)) return;
  const text = readFileSync(file, 'utf8');
  if (applied.get(file) === text) return;
  applied.set(file, text);
  try {
    for (const doc of readDefinitionFile(file, text)) {
      const result = await rota.automations.apply(workspaceId, doc.definition, { source: 'file', sourcePath: file });
      const outcome = result.created ? 'created' : result.changed ? 'updated' : 'unchanged';
      io.out(`watch: ${doc.name}: ${outcome} (version ${result.automation.version})  ${file}`);
    }
  } catch (err) {
    io.err(`watch: ${file}:`);
    reportError(io, err);
  }
}

