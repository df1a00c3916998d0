import type { Command } from 'commander';
import { RotaApiError, type ApplyWarning, type AutomationView, type RotaClient } from '../../client/index.js';
import { webhookUrls } from './webhooks.js';
import { exitCodeFor, RotaError } from '../../errors.js';
import { clientFor, ExitError, printJson, serverCommand, withJson, type Io, type ServerOptions } from '../context.js';
import { listDefinitionFiles, readDefinitionFile, type DefinitionDocument } from '../definition-files.js';
import { reportError } from '../report-error.js';
import { collect } from '../options.js';

interface ApplyOptions extends ServerOptions {
  file?: string[];
  dryRun?: boolean;
}

type Outcome = 'created' | 'updated' | 'unchanged' | 'valid';

export function registerApply(program: Command, io: Io): void {
  withJson(serverCommand(program, 'apply', 'create or update automations from definition files (source: file)'))
    // no default: without -f this is a usage error (exit 2), not a silent success
    .option('-f, --file <path>', 'a .yaml/.yml/.json file or a directory of them (repeatable; required)', collect)
    .option('--dry-run', 'validate only; change nothing')
    // taken only to say what was meant: files are given with -f
    .argument('[paths...]')
    .action(async (paths: string[], options: ApplyOptions) => {
      if (!options.file?.length) {
        const meant = paths.length > 0 ? `; did you mean \`rota apply ${paths.map((p) => `-f ${p}`).join(' ')}\`?` : '';
        throw new ExitError(2, `required option '-f, --file <path>' not specified${meant}`);
      }
      if (paths.length > 0) throw new ExitError(2, `unexpected argument "${paths[0]}": give every file with -f (\`rota apply ${[...options.file, ...paths].map((p) => `-f ${p}`).join(' ')}\`)`);
      const client = clientFor(io, options);
      const results: unknown[] = [];
      let exitCode = 0;
      for (const file of options.file.flatMap((path) => listDefinitionFiles(path))) {
        try {
          for (const doc of readDefinitionFile(file)) {
            const { outcome, version, warnings, automation } = await applyOne(client, doc, options.dryRun === true);
            const webhooks = automation ? webhookUrls(io, options, automation) : [];
            results.push({ file, name: doc.name, outcome, version, ...(webhooks.length > 0 ? { webhooks } : {}), ...(warnings.length > 0 ? { warnings } : {}) });
            if (!options.json) io.out(`${doc.name}: ${outcome}${version ? ` (version ${version})` : ''}  ${file}`);
            if (!options.json) for (const w of webhooks) io.out(`  webhook ${w.id}: POST ${w.url}`);
            for (const w of warnings) io.err(`${doc.name}: warning: ${w.path}: ${w.message}`);
          }
        } catch (err) {
          // The server being unreachable or the token refused ends the whole command.
          if (err instanceof RotaApiError && [0, 401, 403].includes(err.status)) throw err;
          io.err(`${file}:`);
          const code = reportError(io, err);
          results.push({ file, error: errorOf(err) });
          exitCode ||= code;
        }
      }
      if (options.json) printJson(io, { items: results });
      if (exitCode) throw new ExitError(exitCode);
    });
}

async function applyOne(client: RotaClient, doc: DefinitionDocument, dryRun: boolean): Promise<{ outcome: Outcome; version: number | null; warnings: ApplyWarning[]; automation?: AutomationView }> {
  if (dryRun) {
    await client.automations.validate(doc.definition, { source: 'file' });
    return { outcome: 'valid', version: null, warnings: [] };
  }
  const before = await currentVersion(client, doc.name);
  const result = await client.automations.apply(doc.name, doc.definition, { source: 'file', sourcePath: doc.file });
  const version = result.automation?.version ?? null;
  const warnings = result.warnings;
  const automation = result.automation ?? undefined;
  if (result.created || before === null) return { outcome: 'created', version, warnings, automation };
  const changed = result.changed ?? version !== before;
  return { outcome: changed ? 'updated' : 'unchanged', version, warnings, automation };
}

async function currentVersion(client: RotaClient, name: string): Promise<number | null> {
  try {
    return (await client.automations.get(name)).version;
  } catch (err) {
    if (err instanceof RotaApiError && err.status === 404) return null;
    throw err;
  }
}

function errorOf(err: unknown): { code: string; message: string; exit_code: number } {
  const code = err instanceof RotaApiError || err instanceof RotaError ? err.code : 'internal';
  return { code, message: err instanceof Error ? err.message : String(err), exit_code: exitCodeFor(code) };
}
