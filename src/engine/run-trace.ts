/**
 * The spans of a run (OpenTelemetry, through `@opentelemetry/api` only; the node's tracer comes
 * from the SDK it loads when tracing is on, see node/tracing.ts). One trace per run:
 *
 * ```
 * run <automation>            created with the run (a child of the caller's span, if it sent one);
 * │                           its traceparent is stored with the run (runs.traceparent)
 * ├─ segment <automation>     one per claim: start, resume after a wait, takeover of a lost lease;
 * │  │                        later segments also link to the run span (they may run elsewhere)
 * │  ├─ step <id>             one per step attempt: action, attempt, outcome, error
 * │  │  └─ chat <model> ...   the agent's model and tool calls (agent/gen-ai-spans.ts)
 * ```
 *
 * A run's creation span ends when the run is recorded: a run may wait for days, and the process
 * that created it may never execute it, so no span stays open across segments.
 */
import { SpanKind, SpanStatusCode, trace, type Context, type Link, type Span, type SpanOptions, type Tracer } from '@opentelemetry/api';
import type { PlanStep } from '../definition/types.js';
import type { ErrorShape } from '../errors.js';
import type { StepTrace } from '../actions/types.js';
import type { RunRow } from '../store/runs.js';
import { RunEventType } from '../states.js';
import type { StepOutcome } from './outcome.js';
import { contextOf, formatTraceparent, parseTraceparent } from './trace-context.js';

/** How a segment began: the claim's run-log entry type. */
export type SegmentStart = typeof RunEventType.run_started | typeof RunEventType.run_resumed | typeof RunEventType.run_lease_taken_over;

const SEGMENT_KIND: Record<SegmentStart, string> = {
  [RunEventType.run_started]: 'started',
  [RunEventType.run_resumed]: 'resumed',
  [RunEventType.run_lease_taken_over]: 'lease_taken_over',
};

const OUTCOME: Record<StepOutcome['kind'], string> = { succeed: 'succeeded', suspend: 'waiting', retry: 'retry', fail: 'failed' };

export interface RunSpanInfo {
  runId: string;
  workspaceId: string;
  automation: string;
  version: number;
  triggerId: string;
  triggerKind: string;
}

/**
 * Starts the creation span of a new run, a child of `caller` (a `traceparent` from the request
 * that started it) when that is valid. Returns it with the traceparent to store with the run.
 */
export function startRunSpan(tracer: Tracer, info: RunSpanInfo, caller: string | null | undefined): { span: Span; traceparent: string } {
  const span = tracer.startSpan(
    `run ${info.automation}`,
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        'rota.run.id': info.runId,
        'rota.workspace.id': info.workspaceId,
        'rota.automation': info.automation,
        'rota.automation.version': info.version,
        'rota.trigger.id': info.triggerId,
        'rota.trigger.kind': info.triggerKind,
      },
    },
    contextOf(caller),
  );
  return { span, traceparent: formatTraceparent(span.spanContext()) };
}

/** The traceparent a run stores: its creation span's, else a valid one the caller sent, else none. */
export function storedTraceparent(created: { traceparent: string } | null, caller: string | null | undefined): string | null {
  if (created) return created.traceparent;
  const parent = parseTraceparent(caller);
  return parent ? formatTraceparent(parent) : null;
}

/** The spans of one executor's segment of a run. */
export class SegmentTrace {
  readonly #tracer: Tracer;
  readonly #span: Span;
  readonly #context: Context;

  constructor(tracer: Tracer, run: RunRow, start: SegmentStart) {
    this.#tracer = tracer;
    const parent = parseTraceparent(run.traceparent);
    const links: Link[] = parent && start !== RunEventType.run_started ? [{ context: parent, attributes: { 'rota.link': 'run_created' } }] : [];
    this.#span = tracer.startSpan(
      `segment ${run.automation_name}`,
      {
        kind: SpanKind.INTERNAL,
        links,
        attributes: { 'rota.run.id': run.id, 'rota.automation': run.automation_name, 'rota.segment.kind': SEGMENT_KIND[start] },
      },
      contextOf(run.traceparent),
    );
    this.#context = trace.setSpan(contextOf(run.traceparent), this.#span);
  }

  step(step: PlanStep, attempt: number, resumed: boolean): StepSpan {
    return new StepSpan(this.#tracer, this.#context, step, attempt, resumed);
  }

  /** `outcome`: the run's status when the segment ended (waiting, a terminal status, released, lease_lost). */
  end(outcome: string): void {
    this.#span.setAttribute('rota.segment.outcome', outcome);
    this.#span.end();
  }
}

/**
 * One step attempt's span; its `trace` is what the action sees as `ctx.trace`. The traceparent and
 * the span's context are made on first use: most steps (set, sleep, ...) never ask.
 */
export class StepSpan {
  readonly span: Span;
  readonly #parent: Context;
  readonly #tracer: Tracer;
  #context: Context | null = null;
  #trace: StepTrace | null = null;

  constructor(tracer: Tracer, parent: Context, step: PlanStep, attempt: number, resumed: boolean) {
    this.#tracer = tracer;
    this.#parent = parent;
    const attributes = { 'rota.step.id': step.id, 'rota.step.action': step.action, 'rota.step.attempt': attempt, ...(resumed ? { 'rota.step.resumed': true } : {}) };
    this.span = tracer.startSpan(`step ${step.id}`, { kind: SpanKind.INTERNAL, attributes }, parent);
  }

  get context(): Context {
    return (this.#context ??= trace.setSpan(this.#parent, this.span));
  }

  get trace(): StepTrace {
    return (this.#trace ??= new ActionTrace(this.#tracer, this));
  }

  /** Ends the span with the attempt's decided outcome, or `aborted` when its result was dropped (stop). */
  end(outcome: StepOutcome | { kind: 'aborted'; error: ErrorShape | null }): void {
    const error = outcome.kind === 'retry' || outcome.kind === 'fail' || outcome.kind === 'aborted' ? outcome.error : null;
    this.span.setAttribute('rota.step.outcome', outcome.kind === 'aborted' ? 'aborted' : OUTCOME[outcome.kind]);
    if (outcome.kind === 'suspend') this.span.setAttribute('rota.step.waiting_for', outcome.suspension.waitingFor);
    if (error) {
      this.span.setAttribute('error.type', error.code);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: error.message.slice(0, 1000) });
    }
    this.span.end();
  }
}

/** What an action sees of its step's span (`ctx.trace`): never the span itself, which the executor ends. */
class ActionTrace implements StepTrace {
  #traceparent: string | null = null;
  constructor(
    private readonly tracer: Tracer,
    private readonly step: StepSpan,
  ) {}

  get traceparent(): string {
    return (this.#traceparent ??= formatTraceparent(this.step.span.spanContext()));
  }

  startSpan(name: string, options?: SpanOptions): Span {
    return this.tracer.startSpan(name, options, this.step.context);
  }
}
