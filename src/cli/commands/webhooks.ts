import type { Command } from 'commander';
import type { AutomationView, DeliveryView } from '../../client/index.js';
import { clientFor, DEFAULT_URL, printJson, serverCommand, withJson, type Io, type ServerOptions } from '../context.js';
import { formatTime, table } from '../format.js';
import { positiveInt } from '../options.js';

/** The URL senders POST to, for each webhook trigger of the automation (relative to the server URL the CLI uses). */
export function webhookUrls(io: Io, options: ServerOptions, automation: Pick<AutomationView, 'triggers'>): { id: string; url: string }[] {
  const base = (options.url ?? io.env.ROTA_URL ?? DEFAULT_URL).replace(/\/+$/, '');
  return (automation.triggers ?? []).flatMap((t) => (t.webhook_path ? [{ id: t.id, url: base + t.webhook_path }] : []));
}

export function registerWebhooks(program: Command, io: Io): void {
  const webhooks = program.command('webhooks').description('webhook triggers');
  withJson(serverCommand(webhooks, 'deliveries <automation> <trigger>', "a webhook trigger's recent deliveries, newest first"))
    .option('--limit <n>', 'at most n deliveries', positiveInt, 20)
    .action(async (automation: string, trigger: string, options: ServerOptions & { limit: number }) => {
      const page = await clientFor(io, options).webhooks.deliveries(automation, trigger, { limit: options.limit });
      if (options.json) return printJson(io, page);
      if (page.items.length === 0) io.out('no deliveries');
      else io.out(table(['received', 'outcome', 'status', 'reason', 'delivery id', 'runs'], page.items.map(deliveryRow)));
      const bad = page.unauthenticated;
      if (bad.count > 0) io.out(`${bad.count} unauthenticated request(s), the last at ${formatTime(bad.last_at)}: ${bad.last_reason ?? ''}`);
    });
}

function deliveryRow(d: DeliveryView): string[] {
  return [formatTime(d.received_at), d.outcome, String(d.status_code), d.reason ?? '', d.delivery_id ?? '', d.run_ids.join(',')];
}
