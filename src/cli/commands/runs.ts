import type { Command } from 'commander';
import type { RotaClient } from '../../client/index.js';
import type { RunEventView, RunView, StepView } from '../../node/views.js';
import { clientFor, ExitError, printJson, serverCommand, withJson, type Io, type ServerOptions } from '../context.js';
import { followRun } from '../follow.js';
import { formatEvent, formatMs, formatTime, runDuration, table } from '../format.js';
import { parseInputs } from '../inputs.js';
import { reportRun, runLine } from '../run-output.js';
import { collect, positiveInt } from '../options.js';
import { registerRunRetention } from './runs-retention.js';

interface ListOptions extends ServerOptions {
  automation?: string;
  status?: string;
  trigger?: string;
  limit: number;
  cursor?: string;
}

export function registerRuns(program: Command, io: Io): void {
  const runs = program.command('runs').description('list, inspect and control runs');

  withJson(serverCommand(runs, 'ls', 'list runs, newest first'))
    .option('--automation <name>', 'only runs of this automation')
    .option('--status <list>', 'comma-separated statuses, e.g. failed,timed_out')
    .option('--trigger <id>', 'only runs started by this trigger')
    .option('--limit <n>', 'at most n runs', positiveInt, 20)
    .option('--cursor <cursor>', 'continue after a previous page')
    .action(async (options: ListOptions) => {
      const page = await clientFor(io, options).runs.list({
        automation: options.automation,
        status: options.status,
        trigger: options.trigger,
        limit: options.limit,
        cursor: options.cursor,
      });
      if (options.json) return printJson(io, page);
      if (page.items.length === 0) return io.out('no runs');
      io.out(table(['id', 'automation', 'status', 'trigger', 'queued', 'duration'], page.items.map(runRow)));
      if (page.next_cursor) io.out(`(${page.items.length} of ${page.total}; next page: --cursor ${page.next_cursor})`);
    });

  withJson(serverCommand(runs, 'show <id>', 'a run with its steps')).alias('get').action(async (id: string, options: ServerOptions) => {
    const run = await clientFor(io, options).runs.get(id);
    if (options.json) return printJson(io, run);
    printRun(io, run);
  });

  withJson(serverCommand(runs, 'logs <id>', "a run's event log"))
    .option('-f, --follow', 'keep printing new events until the run ends')
    .action(async (id: string, options: ServerOptions & { follow?: boolean }) => {
      const client = clientFor(io, options);
      const print = (event: RunEventView) => io.out(options.json ? JSON.stringify(event) : formatEvent(event));
      if (options.follow) {
        const final = await followRun(client, id, print);
        if (!options.json) io.out(runLine(final));
        return;
      }
      const events = await allEvents(client, id);
      if (options.json) return printJson(io, { items: events });
      events.forEach(print);
    });

  withJson(serverCommand(runs, 'report <id>', 'the report of a finished run (Markdown; --json for JSON)')).action(
    async (id: string, options: ServerOptions) => {
      const client = clientFor(io, options);
      if (options.json) return printJson(io, await client.runs.report(id));
      io.out((await client.runs.reportMarkdown(id)).trimEnd());
    },
  );

  registerRunActions(runs, io);
  registerRunRetention(runs, io);
}

function registerRunActions(runs: Command, io: Io): void {
  withJson(serverCommand(runs, 'cancel <id>', 'cancel a run, aborting its in-flight step')).action(async (id: string, options: ServerOptions) => {
    const run = await clientFor(io, options).runs.cancel(id);
    if (options.json) return printJson(io, run);
    io.out(runLine(run));
  });

  withJson(serverCommand(runs, 'retry <id>', 'new run from the failed step of a failed run'))
    .option('-w, --wait', 'follow the new run and exit with its outcome')
    .action(async (id: string, options: ServerOptions & { wait?: boolean }) => {
      const client = clientFor(io, options);
      await finish(await reportRun(io, client, await client.runs.retry(id), options));
    });

  withJson(serverCommand(runs, 'replay <id>', 'new run with the same inputs (optionally overridden)'))
    .option('-i, --input <key=value>', 'override an input (repeatable)', collect, [])
    .option('--version <n>', 'run on this version of the automation', positiveInt)
    .option('-w, --wait', 'follow the new run and exit with its outcome')
    .action(async (id: string, options: ServerOptions & { input: string[]; version?: number; wait?: boolean }) => {
      const client = clientFor(io, options);
      const overrides = parseInputs(options.input);
      const body = { ...(options.input.length ? { inputs: overrides } : {}), ...(options.version ? { version: options.version } : {}) };
      await finish(await reportRun(io, client, await client.runs.replay(id, body), options));
    });
}

async function finish(code: number): Promise<void> {
  if (code !== 0) throw new ExitError(code);
}

async function allEvents(client: RotaClient, id: string): Promise<RunEventView[]> {
  const events: RunEventView[] = [];
  for (;;) {
    const page = await client.runs.events(id, { after: events.at(-1)?.seq ?? 0 });
    const fresh = page.filter((e) => e.seq > (events.at(-1)?.seq ?? 0));
    if (fresh.length === 0) return events;
    events.push(...fresh);
  }
}

function printRun(io: Io, run: RunView): void {
  io.out(runLine(run));
  io.out(`workspace: ${run.workspace} (${run.workspace_id})`);
  io.out(`trigger:   ${run.trigger_id} (${run.trigger_kind})`);
  io.out(`queued:    ${formatTime(run.queued_at)}   started: ${formatTime(run.started_at)}   ended: ${formatTime(run.ended_at)}`);
  io.out(`duration:  ${formatMs(runDuration(run))}   attempt: ${run.attempt}   cost: $${(run.cost_usd ?? 0).toFixed(4)}`);
  if (run.waiting_for) io.out(`waiting for: ${run.waiting_for}`);
  if (run.skip_reason) io.out(`skip reason: ${run.skip_reason}`);
  if (run.retry_of) io.out(`retry of:  ${run.retry_of}`);
  if (run.replay_of) io.out(`replay of: ${run.replay_of}`);
  if (run.pinned) io.out('pinned:    yes (never pruned)');
  io.out(`inputs:    ${JSON.stringify(run.inputs)}`);
  if (run.output !== null && run.output !== undefined) io.out(`output:    ${JSON.stringify(run.output)}`);
  if (run.error) io.out(`error:     ${run.error.step_id ? `step ${run.error.step_id}: ` : ''}${run.error.code}: ${run.error.message}`);
  const steps = run.steps ?? [];
  if (steps.length > 0) {
    io.out('');
    // a plan column only for runs with a planning step, so that other runs' tables stay as they were
    const planned = steps.some((s) => s.plans || s.planned_by !== null);
    const headers = ['step', 'action', 'status', 'attempt', 'duration', ...(planned ? ['plan'] : []), 'error'];
    io.out(table(headers, steps.map((s) => stepRow(s, planned))));
  }
}

function stepRow(step: StepView, planned: boolean): string[] {
  const error = step.error ? `${step.error.code}: ${step.error.message}` : '';
  const plan = [step.plans ? 'plans' : '', step.planned_by !== null ? `planned by ${step.planned_by}` : ''].filter(Boolean).join(', ');
  return [step.id, step.action, step.status, String(step.attempt), formatMs(step.duration_ms), ...(planned ? [plan] : []), error];
}

function runRow(run: RunView): string[] {
  return [run.id, run.automation, run.status, run.trigger_id, formatTime(run.queued_at), formatMs(runDuration(run))];
}
