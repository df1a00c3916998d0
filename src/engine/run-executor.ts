/**
 * Drives one claimed run until it ends, waits, or this node lets it go. Invariants:
 * - a step's result is committed (with the start of the steps it unblocks) before any of those
 *   steps' actions run: a crash re-executes at most the steps that were in flight;
 * - every write is fenced by the lease: once another node owns the run, nothing here is written;
 * - a step's idempotency key `run_id:step_id` is the same for every attempt and re-execution (a
 *   retry after a timeout must not double-charge); the attempt number travels separately, and an
 *   in-flight step re-executed after a crash keeps it.
 */
import type { Plan, PlanStep } from '../definition/types.js';
import { evaluateFilter } from '../definition/filter.js';
import { validateValue } from '../definition/json-schema.js';
import { AbortReason, AbortedError, ErrorCode, NonRetriableError, canceledRunError, toErrorShape, type ErrorShape } from '../errors.js';
import type { ActionContext, Suspension } from '../actions/types.js';
import type { EngineContext } from './context.js';
import type { RunRow, StepRow } from '../store/runs.js';
import { RunEventType, RunStatus, StepStatus, WaitingFor, type TerminalRunStatus } from '../states.js';
import { decideOutcome, type StepOutcome } from './outcome.js';
import { hardFailure, mainPlanDone, nextOnFailureStep, readySteps, runOutputStepId } from './plan-state.js';
import { RunWriter, LeaseLostError } from './run-writer.js';
import { iso } from '../time.js';
import type { TimerHandle } from '../clock.js';
import { logLineCount, mergeLogs, stepLogger } from './step-logs.js';
import { abortError, raceAbort } from './race-abort.js';
import { StepSecrets, redactSecrets, redactingServices } from './step-secrets.js';
import type { StepAttemptStatus } from '../telemetry.js';
import { context as otelContext } from '@opentelemetry/api';
import { SegmentTrace, type SegmentStart, type StepSpan } from './run-trace.js';
import { runPlan, upstreamOf } from './run-plan.js';
import { isPlanningStep, planSpecOf, stepPlanning } from '../definition/planning.js';
import { inputsInfo } from '../definition/references.js';
import { isRecord } from '../definition/json-path.js';
import type { StepPlanning } from '../actions/types.js';

type StopReason = Exclude<AbortReason, typeof AbortReason.step_timeout>;

function attemptStatus(result: Completion['result']): StepAttemptStatus {
  if (!result.ok) return 'failed';
  const v = result.value as Suspension | null;
  return typeof v === 'object' && v !== null && v.kind === 'suspend' ? 'waiting' : 'succeeded';
}

interface Completion {
  step: PlanStep;
  attempt: number;
  result: { ok: true; value: unknown } | { ok: false; error: ErrorShape };
  logs: unknown[];
  input: unknown;
  /** the secret values the action saw: redacted from its result and logs before they are stored */
  secrets: string[];
  /** the attempt's span when the node traces */
  span: StepSpan | null;
}

export class RunExecutor {
  readonly #ctx: EngineContext;
  readonly #run: RunRow;
  /** the version's plan; `#plan` adds what the run's planning steps planned (run-plan.ts) */
  readonly #basePlan: Plan;
  #plan: Plan;
  readonly #steps: Map<string, StepRow>;
  readonly #writer: RunWriter;
  readonly #inflight = new Map<string, AbortController>();
  readonly #completed: Completion[] = [];
  readonly #secrets: StepSecrets;
  #signal: () => void = () => undefined;
  #stop: StopReason | null = null;
  #deadlineTimer: TimerHandle | null = null;
  readonly #start: SegmentStart;
  #segment: SegmentTrace | null = null;
  /** how this segment ended, for its span */
  #segmentEnd = 'error';

  constructor(ctx: EngineContext, run: RunRow, plan: Plan, steps: StepRow[], start: SegmentStart = RunEventType.run_started) {
    this.#ctx = ctx;
    this.#start = start;
    this.#run = run;
    this.#basePlan = plan;
    this.#steps = new Map(steps.map((s) => [s.step_id, s]));
    this.#plan = runPlan(plan, this.#steps);
    // planned steps never use secrets (definition/planning.ts), so the version's plan names them all
    this.#secrets = new StepSecrets(plan);
    this.#writer = new RunWriter(ctx, run, () => this.stop(AbortReason.cancel), plan.pauseAfterFailures);
    // without a planning step the rows are the ones run creation wrote: nothing to check on the hot path
    if (this.#plan !== plan) this.#ensureRows();
  }

  /**
   * Every step of the run's plan has its row, in plan order. Rows of planned steps are written in
   * the commit that records their plan; this also covers a retried run whose planner was reused.
   */
  #ensureRows(): void {
    [...this.#plan.steps, ...this.#plan.onFailure].forEach((step, idx) => {
      const row = this.#steps.get(step.id);
      if (row) {
        if (row.idx !== idx) this.#setStep(step.id, { idx });
        return;
      }
      const fresh: StepRow = {
        run_id: this.#run.id, step_id: step.id, idx, status: StepStatus.pending, attempt: 0, started_at: null, ended_at: null,
        input: null, output: null, error: null, logs: null, cost_usd: 0, state: null, external_ref: null, wake_at: null, waiting_for: null,
      };
      this.#steps.set(step.id, fresh);
      this.#writer.stepChanged(fresh);
    });
  }

  /** A planning step succeeded: its steps join the run's plan, in the same commit as its output. */
  #joinPlan(planner: PlanStep): void {
    this.#plan = runPlan(this.#basePlan, this.#steps);
    this.#ensureRows();
    const planned = this.#plan.steps.filter((s) => s.plannedBy === planner.id).map((s) => s.id);
    this.#writer.event(RunEventType.plan_accepted, planner.id, { steps: planned }, `plan.accepted:${planner.id}`);
  }

  /** What a planning step's action gets to check its answer against the run (definition/planning.ts). */
  #planning(step: PlanStep): StepPlanning | undefined {
    // from the step as written (plan settings, tools, approvals and budget are never templates in a plan)
    const config = step.with;
    const spec = planSpecOf(config);
    if (step.action !== 'agent' || spec === null) return undefined;
    const names = (value: unknown) => (Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : []);
    return stepPlanning({
      planner: step.id,
      spec,
      upstream: upstreamOf(this.#plan, step.id),
      runSteps: [...this.#plan.steps, ...this.#plan.onFailure].map((s) => s.id),
      inputs: inputsInfo(this.#plan.inputsSchema ?? undefined),
      tools: names(config.tools),
      approvals: names(config.require_approval_for),
      ...(isRecord(config.budget) ? { budget: config.budget as { max_cost_usd?: number; max_tokens?: number } } : {}),
      lookup: (type) => this.#ctx.actions.get(type),
    });
  }

  get runId(): string {
    return this.#run.id;
  }

  /** Asks the run to stop; in-flight actions get the abort. */
  stop(reason: StopReason): void {
    if (this.#stop && this.#stop !== AbortReason.shutdown) return;
    this.#stop = reason;
    this.#abortAll(reason);
    this.#signal();
  }

  async drive(): Promise<void> {
    const deadline = this.#run.deadline_at ?? Number.MAX_SAFE_INTEGER;
    const delay = deadline - this.#ctx.clock.now();
    if (delay <= 0) this.#stop = AbortReason.run_timeout;
    else if (delay < 2 ** 31 - 1) this.#deadlineTimer = this.#ctx.clock.setTimer(delay, () => this.stop(AbortReason.run_timeout));
    if (this.#run.cancel_requested === 1) this.#stop = AbortReason.cancel;
    if (this.#ctx.tracer) this.#segment = new SegmentTrace(this.#ctx.tracer, this.#run, this.#start);
    try {
      await this.#loop();
    } catch (err) {
      if (!(err instanceof LeaseLostError)) throw err;
      this.#segmentEnd = 'lease_lost';
      this.#abortAll(AbortReason.lease_lost);
    } finally {
      this.#ctx.clock.clearTimer(this.#deadlineTimer);
      if (this.#segment) this.#endTrace();
    }
  }

  /** Results never applied (the lease was lost, or the segment failed) end their spans `aborted`. */
  #endTrace(): void {
    for (const c of this.#completed) c.span?.end({ kind: 'aborted', error: c.result.ok ? null : redactSecrets(c.result.error, c.secrets) });
    this.#segment!.end(this.#stop === AbortReason.lease_lost ? 'lease_lost' : this.#segmentEnd);
  }

  async #loop(): Promise<void> {
    for (;;) {
      this.#drainCompletions();
      if (this.#stop) return this.#finishStopped(this.#stop);
      const launch = this.#startReady();
      await this.#writer.flush();
      for (const item of launch) this.#launch(item.step, item.attempt, item.input);
      if (this.#inflight.size > 0) {
        await this.#nextSignal(this.#earliestWake());
        continue;
      }
      if (launch.length > 0 || this.#completed.length > 0) continue;
      const due = this.#wakeDueSteps();
      if (due.length > 0) {
        await this.#writer.flush();
        for (const item of due) this.#launch(item.step, item.attempt, item.input);
        continue;
      }
      if (this.#waitingSteps().length > 0) return this.#suspendRun();
      return this.#finishRun();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Starting steps

  /** Marks ready steps running (or skipped by `if:`), returning those whose actions must run. */
  #startReady(): { step: PlanStep; attempt: number; input: unknown }[] {
    const launch: { step: PlanStep; attempt: number; input: unknown }[] = [];
    // Steps left `running` by a crashed or released owner run again with the same attempt.
    for (const row of this.#steps.values()) {
      if (row.status === StepStatus.running && !this.#inflight.has(row.step_id)) {
        const step = this.#planStep(row.step_id);
        const input = this.#resolveInput(step);
        if (input.ok) launch.push({ step, attempt: Math.max(row.attempt, 1), input: input.value });
        else this.#applyOutcome(step, Math.max(row.attempt, 1), { kind: 'fail', error: input.error }, null, []);
      }
    }
    let progressed = true;
    while (progressed) {
      progressed = false;
      for (const step of this.#candidates()) {
        if (step.if && !evaluateFilter(step.if, this.#scope())) {
          this.#setStep(step.id, { status: StepStatus.skipped, ended_at: this.#now() });
          this.#writer.event(RunEventType.step_skipped, step.id, { reason: 'condition' }, `step.skipped:${step.id}`);
          progressed = true;
          continue;
        }
        const input = this.#resolveInput(step);
        if (!input.ok) {
          this.#applyOutcome(step, 1, { kind: 'fail', error: input.error }, null, []);
          progressed = true;
          continue;
        }
        this.#markRunning(step, 1, input.value);
        launch.push({ step, attempt: 1, input: input.value });
      }
    }
    return launch;
  }

  #candidates(): PlanStep[] {
    const states = this.#steps;
    if (!hardFailure(this.#plan, states)) return readySteps(this.#plan, states).filter((s) => !this.#inflight.has(s.id));
    // The main plan failed: once nothing else is in flight, on_failure steps run one at a time.
    if (this.#inflight.size > 0) return [];
    this.#cancelPendingMain();
    const next = nextOnFailureStep(this.#plan, states);
    const running = this.#plan.onFailure.some((s) => states.get(s.id)?.status === StepStatus.running);
    return next && !running ? [next] : [];
  }

  #markRunning(step: PlanStep, attempt: number, input: unknown): void {
    const now = this.#now();
    this.#setStep(step.id, {
      status: StepStatus.running,
      attempt,
      started_at: now,
      ended_at: null,
      input: JSON.stringify(this.#secrets.stored(input) ?? null),
      error: null,
      wake_at: null,
      waiting_for: null,
    });
    this.#writer.event(RunEventType.step_started, step.id, { attempt }, `step.started:${step.id}:${attempt}`);
  }

  #resolveInput(step: PlanStep): { ok: true; value: unknown } | { ok: false; error: ErrorShape } {
    try {
      return { ok: true, value: this.#secrets.resolve(step, this.#scope(), this.#ctx.actions.get(step.action)?.secretFields ?? []) };
    } catch (err) {
      return { ok: false, error: toErrorShape(err, step.id) };
    }
  }

  #scope() {
    const steps: Record<string, { output: unknown }> = {};
    for (const row of this.#steps.values()) {
      if (row.status === StepStatus.succeeded) steps[row.step_id] = { output: row.output === null ? null : JSON.parse(row.output) };
    }
    const failed = hardFailure(this.#plan, this.#steps);
    const failedRow = failed ? this.#steps.get(failed.id) : undefined;
    return {
      inputs: JSON.parse(this.#run.inputs) as Record<string, unknown>,
      steps,
      run: {
        id: this.#run.id,
        automation: this.#run.automation_name,
        version: this.#run.version,
        trigger: this.#run.trigger_id,
        attempt: this.#run.attempt,
        error: failedRow?.error ? JSON.parse(failedRow.error) : null,
      },
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Executing actions

  #launch(step: PlanStep, attempt: number, input: unknown): void {
    const controller = new AbortController();
    this.#inflight.set(step.id, controller);
    const logs: unknown[] = [];
    const timer = this.#ctx.clock.setTimer(step.timeoutMs, () => controller.abort(new AbortedError(AbortReason.step_timeout)));
    const row = this.#steps.get(step.id);
    const state = row?.state ? JSON.parse(row.state) : undefined;
    const secrets: string[] = [];
    const t0 = performance.now();
    const span = this.#segment?.step(step, attempt, state !== undefined) ?? null;
    this.#invoke(step, attempt, input, state, controller.signal, logs, secrets, span)
      .then((result) => ({ step, attempt, result, logs, input, secrets, span }))
      .then((completion) => {
        this.#ctx.telemetry.stepFinished(step.action, attemptStatus(completion.result), (performance.now() - t0) / 1000);
        this.#ctx.clock.clearTimer(timer);
        this.#inflight.delete(step.id);
        this.#completed.push(completion);
        this.#signal();
      });
  }

  async #invoke(
    step: PlanStep,
    attempt: number,
    input: unknown,
    state: unknown,
    signal: AbortSignal,
    logs: unknown[],
    secrets: string[],
    span: StepSpan | null,
  ): Promise<{ ok: true; value: unknown } | { ok: false; error: ErrorShape }> {
    const action = this.#ctx.actions.get(step.action);
    try {
      if (!action) throw new NonRetriableError(`action "${step.action}" is not registered on this node`);
      const names = this.#secrets.namesIn(input);
      const values = names.length === 0 ? new Map<string, string>() : await this.#ctx.hooks.secrets(this.#run.workspace_id, names);
      secrets.push(...values.values());
      const ctx: ActionContext = {
        config: (names.length === 0 ? input : this.#secrets.reveal(input, values)) as Record<string, unknown>,
        signal,
        idempotencyKey: `${this.#run.id}:${step.id}`,
        attempt,
        run: {
          id: this.#run.id,
          workspaceId: this.#run.workspace_id,
          automation: this.#run.automation_name,
          version: this.#run.version,
          inputs: JSON.parse(this.#run.inputs),
        },
        step: { id: step.id },
        log: stepLogger(logs, () => this.#now(), this.#ctx.config.limits.stepLogLines),
        services: values.size === 0 ? this.#ctx.hooks.servicesFor(this.#run, step.id) : redactingServices(this.#ctx.hooks.servicesFor(this.#run, step.id), secrets),
        runtime: { http: this.#ctx.config.http, shell: this.#ctx.config.shell },
        now: () => this.#now(),
        state,
        suspend: (waitingFor, wakeAt, st): Suspension => ({ kind: 'suspend', waitingFor, wakeAt, state: st }),
        ...(span ? { trace: span.trace } : {}),
      };
      const planning = this.#planning(step);
      if (planning) ctx.planning = planning;
      // With a span, code in the action that asks the OpenTelemetry API for the active span gets it.
      const value = await raceAbort(span ? otelContext.with(span.context, () => action.handler(ctx)) : action.handler(ctx), signal);
      if (action.outputSchema !== undefined && !(typeof value === 'object' && value !== null && (value as Suspension).kind === 'suspend')) {
        const check = validateValue(action.outputSchema, value);
        if (!check.ok) throw new NonRetriableError(`output of action "${step.action}" does not match its output schema`, { code: ErrorCode.output_invalid, details: check.errors.slice(0, 5) });
      }
      return { ok: true, value };
    } catch (err) {
      return { ok: false, error: toErrorShape(abortError(signal) ?? err, step.id) };
    }
  }

  #drainCompletions(): void {
    while (this.#completed.length > 0) {
      const c = this.#completed.shift()!;
      if (this.#stop) {
        // Results that arrive after a stop are kept only for finished work of a shutdown.
        if (this.#stop !== AbortReason.shutdown || !c.result.ok) {
          c.span?.end({ kind: 'aborted', error: c.result.ok ? null : redactSecrets(c.result.error, c.secrets) });
          continue;
        }
      }
      const outcome = decideOutcome(c.step, c.attempt, redactSecrets(c.result, c.secrets), this.#now(), this.#ctx.random);
      c.span?.end(outcome);
      this.#applyOutcome(c.step, c.attempt, outcome, c.input, redactSecrets(c.logs, c.secrets));
    }
  }

  /** The step's stored and new log lines within the step's and the run's limits (step-logs.ts). */
  #boundedLogs(stepId: string, logs: unknown[]): unknown[] {
    const { stepLogLines, runLogLines } = this.#ctx.config.limits;
    let others = 0;
    for (const [id, row] of this.#steps) if (id !== stepId) others += logLineCount(row.logs);
    return mergeLogs(this.#steps.get(stepId)?.logs ?? null, logs, { stepLines: stepLogLines, runLinesLeft: runLogLines - others });
  }

  #applyOutcome(step: PlanStep, attempt: number, outcome: StepOutcome, input: unknown, logs: unknown[]): void {
    const now = this.#now();
    const logText = logs.length > 0 ? JSON.stringify(this.#boundedLogs(step.id, logs)) : undefined;
    const base = { attempt, ...(logText ? { logs: logText } : {}), ...(input !== null ? { input: JSON.stringify(this.#secrets.stored(input) ?? null) } : {}) };
    switch (outcome.kind) {
      case 'succeed':
        this.#setStep(step.id, { ...base, status: StepStatus.succeeded, output: JSON.stringify(outcome.output), ended_at: now, state: null, wake_at: null, waiting_for: null });
        this.#writer.event(RunEventType.step_succeeded, step.id, { attempt }, `step.succeeded:${step.id}:${attempt}`);
        if (isPlanningStep(step)) this.#joinPlan(step);
        return;
      case 'suspend': {
        const s = outcome.suspension;
        this.#setStep(step.id, { ...base, status: StepStatus.waiting, state: JSON.stringify(s.state ?? null), wake_at: s.wakeAt, waiting_for: s.waitingFor });
        this.#writer.event(RunEventType.step_waiting, step.id, { waiting_for: s.waitingFor, wake_at: iso(s.wakeAt) }, `step.waiting:${step.id}:${attempt}:${this.#ctx.ids()}`);
        return;
      }
      case 'retry':
        this.#setStep(step.id, { ...base, status: StepStatus.waiting, error: JSON.stringify(outcome.error), wake_at: outcome.at, waiting_for: WaitingFor.retry });
        this.#writer.event(RunEventType.step_retrying, step.id, { attempt, error: outcome.error, retry_at: iso(outcome.at) }, `step.retrying:${step.id}:${attempt}`);
        return;
      case 'fail':
        this.#setStep(step.id, { ...base, status: StepStatus.failed, error: JSON.stringify(outcome.error), ended_at: now, wake_at: null, waiting_for: null });
        this.#writer.event(RunEventType.step_failed, step.id, { attempt, error: outcome.error }, `step.failed:${step.id}:${attempt}`);
        return;
      default: {
        const never: never = outcome;
        throw new Error(`unknown outcome ${String(never)}`);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Waiting

  #waitingSteps(): StepRow[] {
    return [...this.#steps.values()].filter((s) => s.status === StepStatus.waiting);
  }

  #earliestWake(): number | null {
    let min: number | null = null;
    for (const s of this.#waitingSteps()) if (s.wake_at !== null && (min === null || s.wake_at < min)) min = s.wake_at;
    return min;
  }

  /** Waiting steps whose time has come: retries start a new attempt, suspensions resume. */
  #wakeDueSteps(): { step: PlanStep; attempt: number; input: unknown }[] {
    const now = this.#now();
    const due: { step: PlanStep; attempt: number; input: unknown }[] = [];
    for (const row of this.#waitingSteps()) {
      if (row.wake_at === null || row.wake_at > now) continue;
      const step = this.#planStep(row.step_id);
      const attempt = row.waiting_for === WaitingFor.retry ? row.attempt + 1 : row.attempt;
      const input = this.#resolveInput(step);
      if (!input.ok) {
        this.#applyOutcome(step, attempt, { kind: 'fail', error: input.error }, null, []);
        continue;
      }
      if (row.waiting_for === WaitingFor.retry) this.#markRunning(step, attempt, input.value);
      else this.#setStep(step.id, { status: StepStatus.running, wake_at: null, waiting_for: null });
      due.push({ step, attempt, input: input.value });
    }
    return due;
  }

  async #suspendRun(): Promise<void> {
    const waiting = this.#waitingSteps();
    const wake = this.#earliestWake();
    const deadline = this.#run.deadline_at;
    const claimAt = wake === null ? deadline : deadline === null ? wake : Math.min(wake, deadline);
    this.#writer.patchRun({ status: RunStatus.waiting, waiting_for: waiting[0].waiting_for, lease_owner: null, claim_at: claimAt });
    this.#writer.event(RunEventType.run_waiting, null, { waiting_for: waiting[0].waiting_for, steps: waiting.map((s) => s.step_id), wake_at: iso(wake) }, `run.waiting:${this.#ctx.ids()}`);
    await this.#writer.flush();
    this.#segmentEnd = RunStatus.waiting;
  }

  // ---------------------------------------------------------------------------------------------
  // Ending

  async #finishRun(): Promise<void> {
    const failed = hardFailure(this.#plan, this.#steps);
    if (!failed && !mainPlanDone(this.#plan, this.#steps)) {
      // Nothing ready, nothing in flight, nothing waiting, yet steps pending: their dependencies
      // can never be met (e.g. a dependency was canceled). End the run instead of hanging.
      this.#cancelPendingMain();
      return this.#end(RunStatus.failed, null, { code: ErrorCode.action_failed, message: 'steps could not be scheduled: unmet dependencies' });
    }
    if (failed) {
      const row = this.#steps.get(failed.id)!;
      const error: ErrorShape = row.error ? JSON.parse(row.error) : { code: ErrorCode.action_failed, message: 'step failed', step_id: failed.id };
      return this.#end(RunStatus.failed, null, error);
    }
    const outId = runOutputStepId(this.#plan, this.#steps);
    const output = outId ? JSON.parse(this.#steps.get(outId)!.output ?? 'null') : null;
    return this.#end(RunStatus.succeeded, output, null);
  }

  async #finishStopped(reason: StopReason): Promise<void> {
    await this.#settleInflight();
    if (reason === AbortReason.lease_lost) return;
    if (reason === AbortReason.shutdown) {
      this.#drainCompletions();
      // Steps that did not finish stay `running`; the next owner executes them again.
      this.#writer.patchRun({ lease_owner: null, claim_at: this.#now() });
      this.#writer.event(RunEventType.run_released, null, { node: this.#ctx.config.nodeId }, `run.released:${this.#ctx.ids()}`);
      await this.#writer.flush();
      this.#segmentEnd = 'released';
      return;
    }
    const status = reason === AbortReason.cancel ? RunStatus.canceled : RunStatus.timed_out;
    const error: ErrorShape = status === RunStatus.canceled ? canceledRunError() : { code: ErrorCode.run_timeout, message: `run exceeded its timeout of ${this.#run.timeout_ms} ms` };
    for (const row of this.#steps.values()) {
      if (row.status === StepStatus.running || row.status === StepStatus.waiting || row.status === StepStatus.pending) {
        const wasActive = row.status !== StepStatus.pending;
        this.#setStep(row.step_id, { status: StepStatus.canceled, ended_at: this.#now(), wake_at: null, waiting_for: null, ...(wasActive ? { error: JSON.stringify({ ...error, step_id: row.step_id }) } : {}) });
        if (wasActive) this.#writer.event(RunEventType.step_canceled, row.step_id, { reason: status }, `step.canceled:${row.step_id}`);
      }
    }
    return this.#end(status, null, error);
  }

  async #end(status: TerminalRunStatus, output: unknown, error: ErrorShape | null): Promise<void> {
    this.#writer.finish(status, output, error);
    await this.#writer.flush();
    this.#segmentEnd = status;
  }

  /** After a hard failure nothing else of the main plan runs: pending and waiting steps end canceled. */
  #cancelPendingMain(): void {
    for (const step of this.#plan.steps) {
      const status = this.#steps.get(step.id)?.status;
      if (status === StepStatus.pending || status === StepStatus.waiting) {
        this.#setStep(step.id, { status: StepStatus.canceled, ended_at: this.#now(), wake_at: null, waiting_for: null });
        if (status === StepStatus.waiting) this.#writer.event(RunEventType.step_canceled, step.id, { reason: 'run_failed' }, `step.canceled:${step.id}`);
      }
    }
  }

  async #settleInflight(): Promise<void> {
    this.#abortAll(this.#stop ?? AbortReason.cancel);
    while (this.#inflight.size > 0) await this.#nextSignal(null);
  }

  #abortAll(reason: StopReason): void {
    for (const controller of this.#inflight.values()) controller.abort(new AbortedError(reason));
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  #nextSignal(wakeAt: number | null): Promise<void> {
    return new Promise((resolve) => {
      let timer: TimerHandle | null = null;
      this.#signal = () => {
        this.#ctx.clock.clearTimer(timer);
        this.#signal = () => undefined;
        resolve();
      };
      if (this.#completed.length > 0 || this.#stop) return this.#signal();
      if (wakeAt !== null) timer = this.#ctx.clock.setTimer(Math.max(0, wakeAt - this.#now()), () => this.#signal());
    });
  }

  #setStep(stepId: string, patch: Partial<StepRow>): void {
    const row = this.#steps.get(stepId)!;
    Object.assign(row, patch);
    this.#writer.stepChanged(row);
  }

  #planStep(id: string): PlanStep {
    const step = this.#plan.steps.find((s) => s.id === id) ?? this.#plan.onFailure.find((s) => s.id === id);
    if (!step) throw new Error(`step ${id} is not in the plan of version ${this.#run.version}`);
    return step;
  }

  #now(): number {
    return this.#ctx.clock.now();
  }
}
