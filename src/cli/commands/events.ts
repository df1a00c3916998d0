import type { Command } from 'commander';
import type { EventView } from '../../node/views.js';
import { clientFor, printJson, serverCommand, withJson, type Io, type ServerOptions } from '../context.js';
import { formatTime, table } from '../format.js';
import { parseJsonOption } from '../inputs.js';
import { positiveInt } from '../options.js';

export function registerEvents(program: Command, io: Io): void {
  const events = program.command('events').description('publish and list events');

  withJson(serverCommand(events, 'emit <name>', 'publish an event into the workspace'))
    .option('--data <json>', 'event data as JSON')
    .option('--id <id>', 'dedupe key: an id seen before is not published again')
    .action(async (name: string, options: ServerOptions & { data?: string; id?: string }) => {
      const data = parseJsonOption('--data', options.data);
      const event = await clientFor(io, options).events.emit(name, { data, id: options.id });
      if (options.json) return printJson(io, event);
      io.out(`event ${event.id} ${event.name} ${event.duplicate ? 'duplicate (already published)' : 'published'}`);
      const runs = event.runs ?? [];
      if (runs.length === 0 && !event.duplicate) io.out('started no run (no event trigger matched)');
      for (const r of runs) io.out(`run ${r.run_id} ${r.status} (${r.automation}, trigger ${r.trigger_id})${r.created ? '' : ' already started by this event'}`);
    });

  withJson(serverCommand(events, 'ls', 'recent events, newest first'))
    .option('--name <name>', 'only events with this name')
    .option('--limit <n>', 'at most n events', positiveInt, 20)
    .action(async (options: ServerOptions & { name?: string; limit: number }) => {
      const page = await clientFor(io, options).events.list({ name: options.name, limit: options.limit });
      if (options.json) return printJson(io, page);
      if (page.items.length === 0) return io.out('no events');
      io.out(table(['id', 'name', 'source', 'created', 'data'], page.items.map(eventRow)));
    });
}

function eventRow(e: EventView): string[] {
  const data = JSON.stringify(e.data ?? null);
  return [e.id, e.name, e.source, formatTime(e.created_at), data.length > 60 ? `${data.slice(0, 57)}...` : data];
}
