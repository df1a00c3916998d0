import { ApprovalKind, ApprovalStatus } from '../../states.js';
import type { Command } from 'commander';
import type { ApprovalView } from '../../node/views.js';
import { clientFor, printJson, serverCommand, withJson, type Io, type ServerOptions } from '../context.js';
import { formatTime, table } from '../format.js';
import { parseJsonOption } from '../inputs.js';
import { positiveInt } from '../options.js';

const STATES = [...Object.values(ApprovalStatus), 'all'];

interface DecideOptions extends ServerOptions {
  comment?: string;
  value?: string;
}

export function registerApprovals(program: Command, io: Io): void {
  const approvals = program.command('approvals').description('the approvals inbox: list, inspect and decide');

  withJson(serverCommand(approvals, 'ls', 'approvals, newest first (default: pending ones)'))
    .option('--state <state>', `${STATES.join('|')}`, ApprovalStatus.pending)
    .option('--run <id>', 'only approvals of this run')
    .option('--limit <n>', 'at most n approvals', positiveInt, 20)
    .option('--cursor <cursor>', 'continue after a previous page')
    .action(async (options: ServerOptions & { state: string; run?: string; limit: number; cursor?: string }) => {
      const state = options.state === 'all' ? undefined : options.state;
      const page = await clientFor(io, options).approvals.list({ state, run_id: options.run, limit: options.limit, cursor: options.cursor });
      if (options.json) return printJson(io, page);
      if (page.items.length === 0) return io.out(state ? `no ${state} approvals` : 'no approvals');
      io.out(table(['id', 'automation', 'run', 'step', 'state', 'expires', 'message'], page.items.map(approvalRow)));
      if (page.next_cursor) io.out(`(${page.items.length} of ${page.total}; next page: --cursor ${page.next_cursor})`);
    });

  withJson(serverCommand(approvals, 'show <id>', 'one approval with its details and decisions')).action(async (id: string, options: ServerOptions) => {
    const approval = await clientFor(io, options).approvals.get(id);
    if (options.json) return printJson(io, approval);
    printApproval(io, approval);
  });

  for (const [decision, verb, description] of [
    ['approve', 'approve', 'approve (with --value JSON: an edited value, or edited tool arguments)'],
    ['reject', 'reject', 'reject: the step fails approval_rejected (a tool call: the model is told)'],
    ['abort', 'abort', 'abort: the run ends canceled'],
  ] as const) {
    const command = withJson(serverCommand(approvals, `${verb} <id>`, description)).option('--comment <text>', 'why (kept with the decision)');
    if (decision === 'approve') command.option('--value <json>', 'the edited value as JSON');
    command.action(async (id: string, options: DecideOptions) => {
      const value = parseJsonOption('--value', options.value);
      const approval = await clientFor(io, options).approvals.decide(id, decision, {
        ...(options.comment !== undefined ? { comment: options.comment } : {}),
        ...(value !== undefined ? { value } : {}),
      });
      if (options.json) return printJson(io, approval);
      io.out(`approval ${approval.id} ${approval.state}${approval.state === ApprovalStatus.pending ? ` (${approval.approvals} of ${approval.min_approvals} approvals)` : ''}`);
    });
  }
}

function approvalRow(a: ApprovalView): string[] {
  const message = a.message.replace(/\s+/g, ' ');
  return [a.id, a.automation, a.run_id, a.step_id, a.state, formatTime(a.expires_at), message.length > 60 ? `${message.slice(0, 57)}...` : message];
}

function printApproval(io: Io, a: ApprovalView): void {
  io.out(`approval ${a.id} ${a.state}${a.outcome && a.state === ApprovalStatus.expired ? ` (on_timeout: ${a.outcome})` : ''}`);
  io.out(`run:       ${a.run_id} (${a.automation}, ${a.run_status}) step ${a.step_id}${a.kind !== ApprovalKind.step ? ` [${a.kind}]` : ''}`);
  io.out(`message:   ${a.message}`);
  if (a.details !== null && a.details !== undefined) io.out(`details:   ${JSON.stringify(a.details, null, 2).replace(/\n/g, '\n           ')}`);
  io.out(`approvers: ${a.approvers ? a.approvers.join(', ') : '(any token with approvals:write)'}; ${a.approvals} of ${a.min_approvals} approvals`);
  io.out(`created:   ${formatTime(a.created_at)}   expires: ${formatTime(a.expires_at)} (on_timeout: ${a.on_timeout})`);
  if (a.value !== null) io.out(`value:     ${JSON.stringify(a.value)}`);
  for (const d of a.decisions) io.out(`  ${formatTime(d.at)}  ${d.by_name ?? d.by}  ${d.decision}${d.comment ? `  "${d.comment}"` : ''}`);
}
