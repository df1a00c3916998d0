// Hand-built ActionContext for action tests, with in-memory services that behave like the engine's.
import type { ActionContext, ActionRuntimeConfig, ActionServices, StepLogger, Suspension } from '../../src/actions/types.js';
import type { RunStatus } from '../../src/states.js';

export interface StoredRun {
  id: string;
  automation: string;
  inputs: Record<string, unknown>;
  idempotencyKey: string;
  parent?: { runId: string; stepId: string };
  status: RunStatus;
  output: unknown;
  error: unknown;
}

export class InMemoryServices implements ActionServices {
  readonly events: Array<{ name: string; data?: unknown; id: string }> = [];
  readonly runs = new Map<string, StoredRun>();

  async emitEvent(event: { name: string; data?: unknown; id?: string }): Promise<{ id: string; duplicate: boolean }> {
    const id = event.id ?? `evt_${this.events.length + 1}`;
    if (this.events.some((e) => e.id === id)) return { id, duplicate: true };
    this.events.push({ ...event, id });
    return { id, duplicate: false };
  }

  async startRun(request: Parameters<ActionServices['startRun']>[0]): Promise<{ runId: string }> {
    const existing = [...this.runs.values()].find((r) => r.idempotencyKey === request.idempotencyKey);
    if (existing) return { runId: existing.id };
    const id = `run_child_${this.runs.size + 1}`;
    this.runs.set(id, { id, ...request, status: 'queued', output: null, error: null });
    return { runId: id };
  }

  async getRun(runId: string): Promise<{ id: string; status: RunStatus; output: unknown; error: unknown } | null> {
    const run = this.runs.get(runId);
    return run ? { id: run.id, status: run.status, output: run.output, error: run.error } : null;
  }

  finish(runId: string, status: RunStatus, result: { output?: unknown; error?: unknown } = {}): void {
    const run = this.runs.get(runId);
    if (!run) throw new Error(`no run ${runId}`);
    Object.assign(run, { status, output: result.output ?? null, error: result.error ?? null });
  }
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
}

export function defaultRuntime(): ActionRuntimeConfig {
  return {
    http: { allowlist: [], maxResponseBytes: 1024 * 1024, defaultTimeoutMs: 5000 },
    shell: { enabled: false, maxOutputBytes: 64 * 1024 },
  };
}

type Overrides<C> = Partial<Omit<ActionContext<C>, 'runtime'>> & {
  config: C;
  runtime?: { http?: Partial<ActionRuntimeConfig['http']>; shell?: Partial<ActionRuntimeConfig['shell']> };
};

export function makeContext<C>(overrides: Overrides<C>): ActionContext<C> & { services: InMemoryServices; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const log: StepLogger = {
    info: (message) => void logs.push({ level: 'info', message }),
    warn: (message) => void logs.push({ level: 'warn', message }),
    error: (message) => void logs.push({ level: 'error', message }),
  };
  const base = defaultRuntime();
  const { runtime, ...rest } = overrides;
  return {
    signal: new AbortController().signal,
    idempotencyKey: 'run_1:step_1',
    attempt: 1,
    run: { id: 'run_1', workspaceId: 'ws_1', automation: 'parent', version: 1, inputs: {} },
    step: { id: 'step_1' },
    log,
    now: () => Date.now(),
    state: undefined,
    suspend: (waitingFor, wakeAt, state): Suspension => ({ kind: 'suspend', waitingFor, wakeAt, state }),
    ...rest,
    services: (rest.services as InMemoryServices | undefined) ?? new InMemoryServices(),
    runtime: { http: { ...base.http, ...runtime?.http }, shell: { ...base.shell, ...runtime?.shell } },
    logs,
  };
}

/** Awaits a handler that must finish now (not suspend) and returns its output. */
export async function completed<T>(result: Promise<T | Suspension>): Promise<T> {
  const value = await result;
  if (typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'suspend') {
    throw new Error('expected an output, got a suspension');
  }
  return value as T;
}
