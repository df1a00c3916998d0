/** Tools over runs: start (bounded wait), get (outputs truncated), wait, list, report, cancel, retry, replay. */
import { z } from 'zod';
import type { RotaClient, RunView } from '../client/index.js';
import { Scope } from '../states.js';
import { awaitRun, DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS, nextStep } from './run-wait.js';
import { defineTool, type RotaTool } from './tool.js';
import { ToolArgumentError } from './tool-error.js';
import { DEFAULT_MAX_BYTES, fitValue, MAX_MAX_BYTES, selectPath } from './truncate.js';

const RunId = z.string().min(1).max(100).describe('run id');
const WaitSeconds = z
  .number()
  .min(0)
  .max(MAX_WAIT_SECONDS)
  .optional()
  .describe(`how long to wait for the run to end (or to wait for an approval or event), default ${DEFAULT_WAIT_SECONDS}, at most ${MAX_WAIT_SECONDS}; the call then answers with the status`);
const MaxBytes = z.number().int().min(256).max(MAX_MAX_BYTES).optional().describe(`largest JSON size of an output or step value to include whole, default ${DEFAULT_MAX_BYTES}`);
const Inputs = z.record(z.string(), z.unknown()).describe("the run inputs (checked against the automation's inputs schema)");

const ErrorOut = z.object({ code: z.string(), message: z.string(), step_id: z.string().optional(), retriable: z.boolean().optional(), details: z.unknown().optional() }).nullable();
const RunSummary = z.object({
  run_id: z.string(),
  automation: z.string(),
  version: z.number(),
  status: z.string(),
  waiting_for: z.string().nullable(),
  trigger_kind: z.string(),
  queued_at: z.string(),
  ended_at: z.string().nullable(),
  run_error: ErrorOut.describe("the run's error when it failed (a tool error is `error`)"),
});
const RunOut = {
  ...RunSummary.shape,
  finished: z.boolean().describe('true when the run has ended'),
  output: z.unknown().describe('the run output, or a truncation note {truncated, bytes, preview, note}'),
  next: z.string().describe('what to do next'),
};

function runSummary(r: RunView): z.infer<typeof RunSummary> {
  return { run_id: r.id, automation: r.automation, version: r.version, status: r.status, waiting_for: r.waiting_for, trigger_kind: r.trigger_kind, queued_at: r.queued_at, ended_at: r.ended_at, run_error: r.error };
}

const FETCH_MORE = (id: string) => `call get_run with run_id "${id}" and a larger max_bytes, or output_path to select a part (e.g. "items[0]")`;

function runResult(r: RunView, maxBytes: number) {
  const finished = r.ended_at !== null;
  return { ...runSummary(r), finished, output: fitValue(r.output ?? null, maxBytes, FETCH_MORE(r.id)), next: nextStep(r) };
}

function runLine(r: RunView): string {
  const error = r.error ? ` (${r.error.code}: ${r.error.message})` : '';
  const waiting = r.waiting_for ? ` for ${r.waiting_for}` : '';
  return `run ${r.id} of ${r.automation} is ${r.status}${waiting}${error}`;
}

function seconds(arg: number | undefined): number {
  return (arg ?? DEFAULT_WAIT_SECONDS) * 1000;
}

const startRun = defineTool({
  name: 'start_run',
  title: 'Start a run',
  description:
    'Starts a run of an automation (its manual trigger), waits a bounded time (wait_seconds), then answers with the run id and status: a long run never blocks the call (follow it with wait_for_run or get_run). An idempotency_key used before answers with the first run.',
  scope: Scope.runs_write,
  writes: true,
  input: {
    automation: z.string().min(1).max(63).describe('automation name'),
    inputs: Inputs.optional(),
    idempotency_key: z.string().min(1).max(200).optional().describe('the same key starts at most one run'),
    wait_seconds: WaitSeconds,
    max_bytes: MaxBytes,
  },
  output: { ...RunOut, created: z.boolean().describe('false when the idempotency key had started a run before') },
  async run(client, args) {
    const { run: started, created } = await client.automations.run(args.automation, { inputs: args.inputs ?? {}, idempotencyKey: args.idempotency_key });
    const r = await awaitRun(client, started.id, seconds(args.wait_seconds), started);
    return { structured: { ...runResult(r, args.max_bytes ?? DEFAULT_MAX_BYTES), created }, text: `${runLine(r)}${created ? '' : ' (started before with this idempotency key)'}\nnext: ${nextStep(r)}` };
  },
});

const StepOut = z.object({
  id: z.string(),
  action: z.string(),
  status: z.string(),
  attempt: z.number(),
  duration_ms: z.number().nullable(),
  output: z.unknown(),
  error: ErrorOut,
  waiting_for: z.string().nullable(),
  planned_by: z.string().nullable().describe('the planning step that produced this step in this run; null for a declared step'),
  plans: z.boolean().describe('true for a planning step: its output is its plan (save_run_as_automation freezes it)'),
});

const getRun = defineTool({
  name: 'get_run',
  title: 'Get a run',
  description:
    'A run: status, inputs, output and each step (status, attempt, output, error). Values larger than max_bytes are replaced by a note with their size and a preview; output_path selects a part of the run output (e.g. "items[2].name").',
  scope: Scope.runs_read,
  writes: false,
  input: { run_id: RunId, max_bytes: MaxBytes, output_path: z.string().max(500).optional().describe('a path into the run output: `a.b[0]` or `$.a["b c"]`') },
  output: { ...RunOut, inputs: z.unknown(), steps: z.array(StepOut), output_path: z.string().optional() },
  async run(client, args) {
    const r = await client.runs.get(args.run_id);
    const max = args.max_bytes ?? DEFAULT_MAX_BYTES;
    const base = runResult(r, max);
    let output = base.output;
    if (args.output_path !== undefined) {
      const picked = selectPath(r.output, args.output_path);
      if (!picked.found) throw new ToolArgumentError(`nothing at output_path "${args.output_path}" in the output of run ${r.id}`, [{ path: 'output_path', message: 'no such path in the run output' }]);
      output = fitValue(picked.value, max, FETCH_MORE(r.id));
    }
    const steps = (r.steps ?? []).map((s) => ({
      id: s.id,
      action: s.action,
      status: s.status,
      attempt: s.attempt,
      duration_ms: s.duration_ms,
      output: fitValue(s.output ?? null, max, `the output of step ${s.id}: GET /api/v1/runs/${r.id} has it whole, or raise max_bytes`),
      error: s.error,
      waiting_for: s.waiting_for,
      planned_by: s.planned_by,
      plans: s.plans,
    }));
    const stepLines = steps.map((s) => `  ${s.id} (${s.action}${s.plans ? ', plans' : ''}${s.planned_by ? `, planned by ${s.planned_by}` : ''}) ${s.status}${s.error ? ` ${s.error.code}: ${s.error.message}` : ''}`);
    return {
      structured: { ...base, output, inputs: fitValue(r.inputs, max, 'raise max_bytes'), steps, ...(args.output_path !== undefined ? { output_path: args.output_path } : {}) },
      text: `${runLine(r)}\n${stepLines.join('\n')}`,
    };
  },
});

const waitForRun = defineTool({
  name: 'wait_for_run',
  title: 'Wait for a run',
  description: 'Waits up to wait_seconds for a run to end (or to start waiting for an approval or event), then answers with its status and output.',
  scope: Scope.runs_read,
  writes: false,
  input: { run_id: RunId, wait_seconds: WaitSeconds, max_bytes: MaxBytes },
  output: RunOut,
  async run(client, args) {
    const r = await awaitRun(client, args.run_id, seconds(args.wait_seconds));
    return { structured: runResult(r, args.max_bytes ?? DEFAULT_MAX_BYTES), text: `${runLine(r)}\nnext: ${nextStep(r)}` };
  },
});

const STATUSES = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'canceled', 'timed_out', 'skipped'] as const;

const listRuns = defineTool({
  name: 'list_runs',
  title: 'List runs',
  description: 'Runs of the workspace, newest first, filtered by automation, status, trigger, time and error text.',
  scope: Scope.runs_read,
  writes: false,
  input: {
    automation: z.string().max(63).optional(),
    status: z.array(z.enum(STATUSES)).optional().describe('any of these statuses'),
    trigger: z.string().max(64).optional().describe('trigger id'),
    since: z.string().optional().describe('ISO 8601 time: queued at or after'),
    until: z.string().optional().describe('ISO 8601 time: queued before'),
    q: z.string().max(200).optional().describe('text contained in the run error'),
    cursor: z.string().optional().describe('next_cursor of the previous page'),
    limit: z.number().int().min(1).max(200).optional().describe('page size, default 20'),
  },
  output: { runs: z.array(RunSummary), next_cursor: z.string().nullable() },
  async run(client, args) {
    const page = await client.runs.list({ ...args, limit: args.limit ?? 20 });
    const runs = page.items.map(runSummary);
    return { structured: { runs, next_cursor: page.next_cursor ?? null }, text: runs.length === 0 ? 'no runs' : page.items.map(runLine).join('\n') };
  },
});

const getRunReport = defineTool({
  name: 'get_run_report',
  title: 'Run report (Markdown)',
  description: 'The Markdown report of a run: timeline, steps, errors, approvals, agent costs.',
  scope: Scope.runs_read,
  writes: false,
  input: { run_id: RunId },
  output: { run_id: z.string(), markdown: z.string() },
  async run(client, args) {
    const markdown = await client.runs.reportMarkdown(args.run_id);
    return { structured: { run_id: args.run_id, markdown }, text: markdown };
  },
});

function runAction(name: 'cancel_run' | 'retry_run', title: string, description: string, call: (c: RotaClient, id: string) => Promise<RunView>): RotaTool {
  return defineTool({
    name,
    title,
    description,
    scope: Scope.runs_write,
    writes: true,
    input: { run_id: RunId },
    output: RunOut,
    async run(client, args) {
      const r = await call(client, args.run_id);
      return { structured: runResult(r, DEFAULT_MAX_BYTES), text: runLine(r) };
    },
  });
}

const replayRun = defineTool({
  name: 'replay_run',
  title: 'Replay a run',
  description: 'Starts a new run with the inputs of an earlier one (or new inputs), on its version or another.',
  scope: Scope.runs_write,
  writes: true,
  input: { run_id: RunId, inputs: Inputs.optional(), version: z.number().int().min(1).optional().describe('definition version (default: the current one)') },
  output: RunOut,
  async run(client, args) {
    const r = await client.runs.replay(args.run_id, { inputs: args.inputs, version: args.version });
    return { structured: runResult(r, DEFAULT_MAX_BYTES), text: `${runLine(r)} (replay of ${args.run_id})` };
  },
});

export const runTools: RotaTool[] = [
  startRun,
  getRun,
  waitForRun,
  listRuns,
  getRunReport,
  runAction('cancel_run', 'Cancel a run', 'Cancels a run that has not ended (its waited-for children too).', (c, id) => c.runs.cancel(id)),
  runAction('retry_run', 'Retry a run', 'Starts a new run from the failed step of a failed, canceled or timed-out run (completed steps are reused; linked by retry_of).', (c, id) => c.runs.retry(id)),
  replayRun,
];
