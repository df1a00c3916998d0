import type { Command } from 'commander';
import type { RetentionPreview } from '../../node/views.js';
import { clientFor, printJson, serverCommand, withJson, type Io, type ServerOptions } from '../context.js';
import { table } from '../format.js';
import { runLine } from '../run-output.js';

/** `rota runs pin|unpin ID` and `rota runs prune [--dry-run] [--automation NAME]`. */
export function registerRunRetention(runs: Command, io: Io): void {
  for (const pinned of [true, false]) {
    const verb = pinned ? 'pin' : 'unpin';
    withJson(serverCommand(runs, `${verb} <id>`, pinned ? 'pin a run: retention never prunes it' : 'unpin a run: retention applies to it again')).action(
      async (id: string, options: ServerOptions) => {
        const client = clientFor(io, options);
        const run = pinned ? await client.runs.pin(id) : await client.runs.unpin(id);
        if (options.json) return printJson(io, run);
        io.out(`${runLine(run)}  ${run.pinned ? 'pinned' : 'not pinned'}`);
      },
    );
  }

  withJson(serverCommand(runs, 'prune', "delete the runs retention lets go now (admin); --dry-run only tells how many and why"))
    .option('--dry-run', 'delete nothing: what the next sweep would delete, per automation and reason, and what it holds back')
    .option('--automation <name>', 'only this automation')
    .action(async (options: ServerOptions & { dryRun?: boolean; automation?: string }) => {
      const client = clientFor(io, options);
      const query = options.automation ? { automation: options.automation } : {};
      if (options.dryRun) {
        const preview = await client.retention.preview(query);
        if (options.json) return printJson(io, preview);
        printPreview(io, preview);
        return;
      }
      const result = await client.retention.prune(query);
      if (options.json) return printJson(io, result);
      const { age, count, keep_failed, total } = result.runs;
      if (!result.swept) return io.out('another node is sweeping right now (one node at a time); nothing pruned by this call, try again shortly');
      io.out(`pruned ${total} runs (age ${age}, count ${count}, keep_failed ${keep_failed}), ${result.rows} rows, in ${result.duration_ms} ms`);
    });
}

function printPreview(io: Io, preview: RetentionPreview): void {
  if (preview.automations.length === 0) return io.out('no automations');
  const rows = preview.automations.map((a) => [
    a.automation,
    `${a.policy.max_age === '0s' ? 'no age' : a.policy.max_age} / ${a.policy.max_runs === 0 ? 'no count' : a.policy.max_runs}${a.policy.keep_failed ? ` / failed ${a.policy.keep_failed}` : ''}`,
    String(a.prunable.total),
    String(a.prunable.age),
    String(a.prunable.count),
    String(a.prunable.keep_failed),
    String(a.held.pinned),
    String(a.held.children),
    String(a.held.active),
  ]);
  io.out(table(['automation', 'policy', 'would prune', 'age', 'count', 'keep_failed', 'pinned', 'children', 'active'], rows));
  io.out(`dry run: ${preview.totals.prunable} runs would be pruned, ${preview.totals.held} held back; nothing was deleted`);
}
