import type { Command } from 'commander';
import { clientFor, printJson, serverCommand, withJson, type Io, type ServerOptions } from '../context.js';
import { formatTime, table } from '../format.js';
import { positiveInt } from '../options.js';

/** `rota schedule next NAME`: the next fire times; `rota schedule triggers NAME`: cursors and counters. */
export function registerSchedule(program: Command, io: Io): void {
  const schedule = program.command('schedule').description('preview schedules and inspect trigger cursors');

  withJson(serverCommand(schedule, 'next <name>', "the next fire times of each schedule trigger (in its timezone and in UTC)"))
    .option('--count <n>', 'fire times per trigger (default 5, at most 1000)', positiveInt)
    .option('--from <time>', 'list the fire times at or after this RFC 3339 time (e.g. 2026-03-29T00:00:00Z)')
    .action(async (name: string, options: ServerOptions & { count?: number; from?: string }) => {
      const items = await clientFor(io, options).triggers.preview(name, { count: options.count ?? 5, from: options.from });
      if (options.json) return printJson(io, { items });
      if (items.length === 0) return io.out(`${name} has no schedule triggers`);
      for (const [i, p] of items.entries()) {
        if (i > 0) io.out('');
        const state = [p.enabled ? '' : 'trigger disabled', p.paused ? `automation paused: nothing fires until \`rota resume ${name}\`` : ''].filter(Boolean);
        io.out(`${p.trigger_id} (${p.timezone})${state.length > 0 ? ` ${state.join('; ')}` : ''}`);
        if (p.next.length === 0) io.out('  no further fire times');
        for (const [j, at] of p.next.entries()) io.out(`  ${p.next_local[j]}  (${formatTime(at)} UTC)`);
      }
    });

  withJson(serverCommand(schedule, 'triggers <name>', "an automation's triggers with cursors and misfire counters")).action(
    async (name: string, options: ServerOptions) => {
      const items = await clientFor(io, options).triggers.list(name);
      if (options.json) return printJson(io, { items });
      const rows = items.map((t) => [t.id, t.type, t.enabled ? 'yes' : 'no', formatTime(t.next_fire_at), formatTime(t.last_fire_at), String(t.misfire_count), String(t.consecutive_failures)]);
      io.out(table(['trigger', 'type', 'enabled', 'next fire (UTC)', 'last fire (UTC)', 'misfires', 'failing'], rows));
      if (items[0]?.paused) io.out(`${name} is paused: nothing fires until \`rota resume ${name}\``);
      for (const t of items) {
        if (t.consecutive_failures > 0) io.out(`${t.id}: ${t.consecutive_failures} failed fire(s) in a row, last at ${formatTime(t.last_failure_at)} UTC: ${t.last_failure}`);
        if (t.secret_env_unset) io.out(`${t.id}: secret variable ${t.secret_env_unset} is not set on the server: every delivery is refused (401)`);
      }
    },
  );

  for (const action of ['enable', 'disable'] as const) {
    withJson(serverCommand(schedule, `${action} <name> <trigger>`, `${action} one trigger of an automation`)).action(
      async (name: string, trigger: string, options: ServerOptions) => {
        const view = await clientFor(io, options).triggers[action](name, trigger);
        if (options.json) return printJson(io, view);
        io.out(`${name}/${view.id}: ${view.enabled ? 'enabled' : 'disabled'}${view.next_fire_at ? `, next fire ${formatTime(view.next_fire_at)} UTC` : ''}`);
      },
    );
  }
}
