/**
 * Test actions that record every execution, so tests can assert what ran, when, how often, with
 * which idempotency key, and whether it saw its abort signal.
 *
 * `probe` (all fields optional):
 * - `output`: returned as is (default `{key, attempt}`)
 * - `delay_ms`: works this long first (aborts early on the signal)
 * - `fail_times` + `fail_kind`: attempts 1..fail_times throw a RetriableError (default) or a
 *   NonRetriableError
 * - `fail_if_flag`: throws a NonRetriableError while the recorder has that flag
 * - `hang` / `hang_times` / `hang_if_flag`: wait until aborted (every attempt / attempts
 *   1..hang_times / while the flag is set when the call starts)
 * - `ignore_abort`: a hang that never ends, even when aborted (a stuck or crashed call)
 * - `gate`: waits until the test calls `recorder.open(gate)`
 */
import { AbortedError, NonRetriableError, RetriableError } from '../../src/errors.js';
import type { ActionContext, ActionDefinition } from '../../src/actions/types.js';

export interface ProbeConfig {
  output?: unknown;
  delay_ms?: number;
  fail_times?: number;
  fail_kind?: 'retriable' | 'non_retriable';
  fail_if_flag?: string;
  hang?: boolean;
  hang_times?: number;
  hang_if_flag?: string;
  ignore_abort?: boolean;
  gate?: string;
}

export interface Call {
  runId: string;
  automation: string;
  stepId: string;
  attempt: number;
  key: string;
  config: ProbeConfig;
  /** order of events across all calls of the recorder: start and end get a sequence number */
  startSeq: number;
  endSeq: number | null;
  result: 'running' | 'ok' | 'error' | 'aborted';
  abortReason: unknown;
}

export class Recorder {
  readonly calls: Call[] = [];
  readonly flags = new Set<string>();
  active = 0;
  maxActive = 0;
  #seq = 0;
  readonly #opened = new Set<string>();
  readonly #gates = new Map<string, Array<() => void>>();
  /** Called on every call start and end (the crash node prints them). */
  onChange: ((call: Call) => void) | null = null;

  nextSeq(): number {
    return ++this.#seq;
  }

  open(gate: string): void {
    this.#opened.add(gate);
    for (const wake of this.#gates.get(gate) ?? []) wake();
    this.#gates.delete(gate);
  }

  waitGate(gate: string, signal: AbortSignal): Promise<void> {
    if (this.#opened.has(gate)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      const list = this.#gates.get(gate) ?? [];
      list.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      this.#gates.set(gate, list);
    });
  }

  of(runId: string, stepId?: string): Call[] {
    return this.calls.filter((c) => c.runId === runId && (stepId === undefined || c.stepId === stepId));
  }

  ofAutomation(name: string): Call[] {
    return this.calls.filter((c) => c.automation === name);
  }
}

function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function probe(recorder: Recorder, call: Call, ctx: ActionContext<ProbeConfig>): Promise<unknown> {
  const c = ctx.config;
  if (c.fail_if_flag !== undefined && recorder.flags.has(c.fail_if_flag)) throw new NonRetriableError(`flag ${c.fail_if_flag} is set`);
  if (c.fail_times !== undefined && ctx.attempt <= c.fail_times) {
    const message = `planned failure on attempt ${ctx.attempt}`;
    throw c.fail_kind === 'non_retriable' ? new NonRetriableError(message) : new RetriableError(message);
  }
  const hang = c.hang === true || (c.hang_times !== undefined && ctx.attempt <= c.hang_times) || (c.hang_if_flag !== undefined && recorder.flags.has(c.hang_if_flag));
  if (hang && c.ignore_abort) await new Promise<never>(() => undefined);
  if (hang) await untilAborted(ctx.signal);
  if (c.gate !== undefined) await recorder.waitGate(c.gate, ctx.signal);
  if (c.delay_ms !== undefined) await delay(c.delay_ms, ctx.signal);
  return c.output !== undefined ? c.output : { key: ctx.idempotencyKey, attempt: ctx.attempt };
}

export function testActions(recorder: Recorder): ActionDefinition[] {
  const probeAction: ActionDefinition<ProbeConfig> = {
    type: 'probe',
    description: 'test: records its execution; can delay, fail, hang or wait on a gate',
    configSchema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        output: {},
        delay_ms: { type: 'integer', minimum: 0 },
        fail_times: { type: 'integer', minimum: 0 },
        fail_kind: { enum: ['retriable', 'non_retriable'] },
        fail_if_flag: { type: 'string' },
        hang: { type: 'boolean' },
        hang_times: { type: 'integer', minimum: 0 },
        hang_if_flag: { type: 'string' },
        ignore_abort: { type: 'boolean' },
        gate: { type: 'string' },
      },
    },
    handler: async (ctx) => {
      const call: Call = {
        runId: ctx.run.id,
        automation: ctx.run.automation,
        stepId: ctx.step.id,
        attempt: ctx.attempt,
        key: ctx.idempotencyKey,
        config: ctx.config,
        startSeq: recorder.nextSeq(),
        endSeq: null,
        result: 'running',
        abortReason: undefined,
      };
      recorder.calls.push(call);
      recorder.active++;
      recorder.maxActive = Math.max(recorder.maxActive, recorder.active);
      recorder.onChange?.(call);
      try {
        const out = await probe(recorder, call, ctx);
        call.result = 'ok';
        return out;
      } catch (err) {
        call.result = ctx.signal.aborted ? 'aborted' : 'error';
        // the engine's abort protocol: the reason is an AbortedError naming why (anything else is recorded as is)
        if (ctx.signal.aborted) call.abortReason = ctx.signal.reason instanceof AbortedError ? ctx.signal.reason.abortReason : ctx.signal.reason;
        throw err;
      } finally {
        recorder.active--;
        call.endSeq = recorder.nextSeq();
        recorder.onChange?.(call);
      }
    },
  };
  return [probeAction];
}
