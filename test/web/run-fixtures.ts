/**
 * Runs for the run detail page's browser tests (and the UI benchmark): each applies its automation
 * through the typed client and starts a run. Names are suffixed so that tests sharing one server
 * never collide.
 */
import type { RotaClient, RunView } from '../../src/client/index.js';
import type { Script as LlmScript } from '../support/llm-stand-in.js';

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'timed_out', 'skipped']);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the run until `done(run)` (default: terminal), failing after `timeoutMs`. */
export async function waitForRun(client: RotaClient, id: string, done: (run: RunView) => boolean = (r) => TERMINAL.has(r.status), timeoutMs = 30_000): Promise<RunView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await client.runs.get(id);
    if (done(run)) return run;
    if (Date.now() > deadline) throw new Error(`run ${id} is still ${run.status} after ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function start(client: RotaClient, name: string, definition: Record<string, unknown>, inputs: Record<string, unknown> = {}, wait?: string): Promise<RunView> {
  await client.automations.apply(name, { name, ...definition });
  return (await client.automations.run(name, { inputs, wait })).run;
}

/**
 * A run of `steps` `set` steps (default 500), chained (`step-001` ← `step-002` ← ...) or all in
 * parallel; each outputs its index and a small object. Resolves once the run has ended.
 */
export async function createManyStepRun(client: RotaClient, options: { steps?: number; name?: string; parallel?: boolean } = {}): Promise<RunView> {
  const count = options.steps ?? 500;
  const name = options.name ?? `many-steps-${count}`;
  const width = String(count).length;
  const steps = Array.from({ length: count }, (_, i) => {
    const id = `step-${String(i + 1).padStart(width, '0')}`;
    return { id, action: 'set', ...(options.parallel ? { needs: [] } : {}), with: { index: i + 1, label: `value of ${id}`, nested: { even: i % 2 === 0 } } };
  });
  const run = await start(client, name, { steps, execution: { timeout: '10m' } });
  return waitForRun(client, run.id, undefined, 120_000);
}

/** set → sleep `ms` → set: a run that waits a moment (watched live). Returns the run as started. */
export function startSleepyRun(client: RotaClient, suffix: string, ms = 2_000): Promise<RunView> {
  return start(client, `sleepy-${suffix}`, {
    steps: [
      { id: 'prepare', action: 'set', with: { phase: 'before' } },
      { id: 'nap', action: 'sleep', with: { duration: `${ms}ms` } },
      { id: 'finish', action: 'set', with: { phase: 'after', slept: '{{ steps.nap.output.slept_until }}' } },
    ],
  });
}

/**
 * A run that fails in step `use` until the input `region` is given (its template cannot resolve
 * without it); `region` given, it succeeds. Resolves once the run has ended.
 */
export async function createFailedRun(client: RotaClient, suffix: string): Promise<RunView> {
  const run = await start(client, `fragile-${suffix}`, {
    inputs: { type: 'object', properties: { region: { type: 'string' }, note: { type: 'string', default: 'n/a' } } },
    steps: [
      { id: 'prepare', action: 'set', with: { note: '{{ inputs.note }}' } },
      { id: 'use', action: 'set', with: { region: '{{ inputs.region }}' } },
    ],
  });
  return waitForRun(client, run.id);
}

/** A run waiting for one approval in step `confirm`; resolves once it waits. */
export async function createApprovalRun(client: RotaClient, suffix: string): Promise<RunView> {
  const run = await start(client, `approve-${suffix}`, {
    inputs: { type: 'object', properties: { amount: { type: 'number', default: 42 } } },
    steps: [
      { id: 'quote', action: 'set', with: { amount: '{{ inputs.amount }}' } },
      { id: 'confirm', action: 'approval', with: { message: 'Refund {{ inputs.amount }} EUR?', details: { amount: '{{ inputs.amount }}' } } },
      { id: 'pay', action: 'set', with: { paid: '{{ steps.confirm.output.approved }}' } },
    ],
  });
  return waitForRun(client, run.id, (r) => r.status === 'waiting' || TERMINAL.has(r.status));
}

/** A run sleeping for a minute (to be canceled); resolves once it waits. */
export async function createLongRun(client: RotaClient, suffix: string): Promise<RunView> {
  const run = await start(client, `long-${suffix}`, {
    steps: [
      { id: 'start', action: 'set', with: { ok: true } },
      { id: 'wait', action: 'sleep', with: { duration: '60s' } },
    ],
  });
  return waitForRun(client, run.id, (r) => r.status === 'waiting' || TERMINAL.has(r.status));
}

/** The `rota.config.yaml` of a server whose `default` model is an LLM stand-in at `baseUrl`. */
export function standInConfig(baseUrl: string): string {
  return ['providers:', `  stand_in: { kind: openai_compatible, base_url: "${baseUrl}" }`, 'models:', '  default: { model: "stand_in:ui-model", price: { input: 1000, output: 2000 } }'].join('\n');
}

/**
 * A run of an agent step that calls `emit_event` (approval required) and answers JSON checked
 * against an output schema. Script the stand-in first: a tool call, then the answer.
 */
export async function createAgentRun(client: RotaClient, suffix: string): Promise<RunView> {
  const run = await start(client, `agent-${suffix}`, {
    steps: [
      {
        id: 'triage',
        action: 'agent',
        with: {
          prompt: 'Classify the ticket and announce it',
          tools: ['emit_event'],
          require_approval_for: ['emit_event'],
          output_schema: { type: 'object', properties: { label: { enum: ['bug', 'feature'] } }, required: ['label'] },
          max_tokens: 200,
        },
      },
    ],
  });
  return waitForRun(client, run.id, (r) => r.status === 'waiting' || TERMINAL.has(r.status));
}

/** What `createPlannerRun`'s planning step answers (script the stand-in with `plannerScript`). */
export const PLANNED = {
  steps: [
    { id: 'gather', action: 'set', with: { sources: ['a', 'b'] } },
    { id: 'write', action: 'agent', with: { prompt: 'Write a digest about {{ inputs.topic }} from {{ steps.gather.output.sources | json }}' }, retry: { max_retries: 2 } },
  ],
};

/** The stand-in's script for planner runs: the plan to a planning step, `answer` to any other call. */
export function plannerScript(plan: unknown = PLANNED, answer = 'The digest.'): LlmScript {
  return (request) => (request.system?.includes('planning step') ? { text: JSON.stringify(plan) } : { text: answer });
}

/**
 * A run of a planning step `research` (which plans `research.gather` and `research.write` when
 * the stand-in follows `plannerScript`) then `publish`. Resolves once the run has ended.
 */
export async function createPlannerRun(client: RotaClient, suffix: string, topic = 'rust'): Promise<RunView> {
  const run = await start(
    client,
    `planner-${suffix}`,
    {
      inputs: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] },
      steps: [
        { id: 'research', action: 'agent', with: { prompt: 'Plan a short digest about {{ inputs.topic }}', plan: { allow: ['agent', 'set'], max_steps: 5 } } },
        { id: 'publish', action: 'set', with: { published: true } },
      ],
    },
    { topic },
  );
  return waitForRun(client, run.id);
}
