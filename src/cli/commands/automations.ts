import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { AutomationView, VersionView } from '../../node/views.js';
import { clientFor, printJson, serverCommand, withJson, type Io, type ServerOptions } from '../context.js';
import { formatTime, table } from '../format.js';
import { positiveInt } from '../options.js';
import { webhookUrls } from './webhooks.js';

export function registerAutomations(program: Command, io: Io): void {
  withJson(serverCommand(program, 'ls', 'list automations'))
    .option('--status <status>', 'only active, paused or archived')
    .action(async (options: ServerOptions & { status?: string }) => {
      const client = clientFor(io, options);
      const items: AutomationView[] = [];
      const seen = new Set<string>();
      let cursor: string | null = null;
      do {
        const page = await client.automations.list({ status: options.status, cursor, limit: 100 });
        items.push(...page.items);
        cursor = page.next_cursor && !seen.has(page.next_cursor) ? page.next_cursor : null;
        if (cursor) seen.add(cursor);
      } while (cursor);
      if (options.json) return printJson(io, { items, total: items.length });
      if (items.length === 0) return io.out('no automations');
      io.out(table(['name', 'status', 'version', 'source', 'triggers', 'updated'], items.map(automationRow)));
    });

  withJson(serverCommand(program, 'get <name>', 'show an automation definition as YAML'))
    .option('--version <n>', 'a specific version', positiveInt)
    .action(async (name: string, options: ServerOptions & { version?: number }) => {
      const client = clientFor(io, options);
      const view = options.version ? await client.automations.version(name, options.version) : await client.automations.get(name);
      if (options.json) return printJson(io, view);
      // A YAML comment, so that the output stays a definition that applies as it is.
      if ('paused' in view && view.paused) io.out(`# paused (${view.paused.reason}) at ${view.paused.at}; resume with: rota resume ${name}`);
      io.out(stringify(view.definition, { lineWidth: 0 }).trimEnd());
      // comments, so the output stays a definition that applies as is
      if (view.saved_from_run) io.out(`# saved from run ${view.saved_from_run} (rota save-run); the run: rota runs show ${view.saved_from_run}`);
      const current = options.version ? await client.automations.get(name) : (view as AutomationView);
      for (const w of webhookUrls(io, options, current)) io.out(`# webhook ${w.id}: POST ${w.url}`);
    });

  withJson(serverCommand(program, 'versions <name>', "an automation's versions, oldest first (the run each saved one froze)")).action(
    async (name: string, options: ServerOptions) => {
      const items = await clientFor(io, options).automations.versions(name);
      if (options.json) return printJson(io, { items });
      io.out(table(['version', 'created', 'hash', 'saved from run'], items.map(versionRow)));
    },
  );

  for (const action of ['pause', 'resume', 'archive', 'unarchive'] as const) {
    const what = action === 'unarchive' ? 'make an archived automation editable again (it comes back paused)' : `${action} an automation`;
    withJson(serverCommand(program, `${action} <name>`, what)).action(
      async (name: string, options: ServerOptions) => {
        const view = await clientFor(io, options).automations[action](name);
        if (options.json) return printJson(io, view);
        io.out(`${view.name}: ${view.status}`);
      },
    );
  }
}

function versionRow(v: VersionView): string[] {
  return [String(v.version), formatTime(v.created_at), v.hash.slice(0, 12), v.saved_from_run ?? '-'];
}

function automationRow(a: AutomationView): string[] {
  const triggers = (a.triggers ?? []).map((t) => (t.enabled ? `${t.id}:${t.type}` : `${t.id}:${t.type}(off)`)).join(',');
  return [a.name, a.status, String(a.version), a.source, triggers || 'manual', formatTime(a.updated_at)];
}
