/**
 * The run detail page's timeline, derived from the run log alone (pure: no React, no DOM, no
 * clock), so it is table-tested outside the browser.
 *
 * A step row is a list of segments: each attempt its own `exec` bar, each wait (`sleep`,
 * `approval`, `retry`, ...) its own `wait` bar, and the time between a wait's end (its due time or
 * the decision that ended it) and the moment a worker picked the run up again is a `queue` bar, so
 * queue delay is never counted as execution. The run row has the same three kinds: queued until
 * started, running, waiting.
 */
import type { RunEventView } from '../../../src/client/index.js';

export type SegmentKind = 'queue' | 'exec' | 'wait';
export type SegmentOutcome = 'succeeded' | 'failed' | 'retrying' | 'suspended' | 'canceled' | 'released' | 'ended' | 'skipped';

export interface Segment {
  kind: SegmentKind;
  /** epoch ms */
  start: number;
  /** epoch ms; null while it is still going on */
  end: number | null;
  attempt?: number;
  waitingFor?: string;
  outcome?: SegmentOutcome;
  error?: { code?: string; message?: string } | null;
}

export interface Marker {
  at: number;
  type: string;
}

export interface StepTimeline {
  stepId: string;
  segments: Segment[];
  markers: Marker[];
  /** summed from the step's agent.model_call entries */
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  modelCalls: number;
  toolCalls: number;
  events: number;
}

export interface ArtifactEntry {
  seq: number;
  stepId: string | null;
  artifactId: string | null;
  position: number | null;
  valid: boolean;
  sha256: string | null;
  /** validated, repaired or invalid */
  kind: string;
  errors: unknown;
  at: number;
}

export interface RunTimeline {
  queuedAt: number | null;
  endedAt: number | null;
  /** the run row: queued, running, waiting */
  run: Segment[];
  steps: Map<string, StepTimeline>;
  /** step ids in order of first appearance in the log */
  order: string[];
  artifacts: ArtifactEntry[];
  lastSeq: number;
}

const RUN_STARTS = new Set(['run.started', 'run.resumed', 'run.lease_taken_over']);
const RUN_ENDS = new Set(['run.succeeded', 'run.failed', 'run.canceled', 'run.timed_out', 'run.skipped']);
/** entries that end a step's wait: the decision, the matched event, the callback */
const WAKERS = new Set(['approval.resolved', 'event.matched', 'delegation.callback']);
/** waits that always end with one of WAKERS: a run resuming for another reason leaves them open */
const WOKEN_EXPLICITLY = new Set(['approval', 'event', 'delegation']);
const STEP_ENDS: Record<string, SegmentOutcome> = {
  'step.succeeded': 'succeeded',
  'step.failed': 'failed',
  'step.retrying': 'retrying',
  'step.waiting': 'suspended',
  'step.canceled': 'canceled',
};

interface OpenWait {
  start: number;
  attempt: number;
  waitingFor: string;
  /** when it was due (sleep, retry) */
  wakeAt: number | null;
  /** when something ended it (a decision, an event, a callback) */
  wokeAt: number | null;
}

interface StepState {
  line: StepTimeline;
  exec: { start: number; attempt: number } | null;
  wait: OpenWait | null;
  attempt: number;
}

export function isRunEnd(type: string): boolean {
  return RUN_ENDS.has(type);
}

function time(iso: string): number {
  return Date.parse(iso);
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function isoMs(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** When a wait stopped being a wait: its waker, else its due time, never after `t` nor before its start. */
function waitEnd(wait: OpenWait, t: number): number {
  const woke = wait.wokeAt ?? wait.wakeAt ?? t;
  return Math.max(wait.start, Math.min(woke, t));
}

function newStep(id: string): StepState {
  return {
    line: { stepId: id, segments: [], markers: [], inputTokens: 0, outputTokens: 0, costUsd: 0, modelCalls: 0, toolCalls: 0, events: 0 },
    exec: null,
    wait: null,
    attempt: 0,
  };
}

/** Closes a step's wait at `t`; `queued` adds the gap between its end and `t` as queue time. Returns its end. */
function closeWait(s: StepState, t: number, queued: boolean): number {
  const wait = s.wait!;
  const end = waitEnd(wait, t);
  s.line.segments.push({ kind: 'wait', start: wait.start, end, attempt: wait.attempt, waitingFor: wait.waitingFor });
  if (queued && end < t) s.line.segments.push({ kind: 'queue', start: end, end: t, attempt: wait.attempt });
  s.wait = null;
  return end;
}

function closeExec(s: StepState, t: number, outcome: SegmentOutcome, error?: Segment['error']): void {
  const exec = s.exec!;
  s.line.segments.push({ kind: 'exec', start: exec.start, end: t, attempt: exec.attempt, outcome, error: error ?? null });
  s.exec = null;
}

/** Reads the log in seq order, one entry at a time (a re-read entry is skipped). */
class TimelineBuilder {
  readonly #steps = new Map<string, StepState>();
  /** steps the log names that the run's own list lacked (none, normally) */
  readonly #extra: string[] = [];
  readonly #artifacts: ArtifactEntry[] = [];
  readonly #run: Segment[] = [];
  #runOpen: Segment | null = null;
  #queuedAt: number | null = null;
  #endedAt: number | null = null;
  #lastSeq = 0;

  constructor(private readonly stepIds: readonly string[]) {
    for (const id of stepIds) this.#steps.set(id, newStep(id));
  }

  add(event: RunEventView): void {
    if (event.seq <= this.#lastSeq) return;
    this.#lastSeq = event.seq;
    const t = time(event.created_at);
    const data = record(event.data);
    if (event.step_id === null) this.#runEntry(event.type, t, data);
    else this.#stepEntry(this.#step(event.step_id), event, t, data);
  }

  result(): RunTimeline {
    const order = [...this.stepIds, ...this.#extra];
    const steps = new Map<string, StepTimeline>();
    for (const id of order) {
      const s = this.#steps.get(id)!;
      const segments = [...s.line.segments];
      if (s.exec) segments.push({ kind: 'exec', start: s.exec.start, end: null, attempt: s.exec.attempt });
      if (s.wait) segments.push({ kind: 'wait', start: s.wait.start, end: null, attempt: s.wait.attempt, waitingFor: s.wait.waitingFor });
      segments.sort((a, b) => a.start - b.start);
      steps.set(id, { ...s.line, segments });
    }
    return { queuedAt: this.#queuedAt, endedAt: this.#endedAt, run: this.#run, steps, order, artifacts: this.#artifacts, lastSeq: this.#lastSeq };
  }

  #step(id: string): StepState {
    let state = this.#steps.get(id);
    if (!state) {
      state = newStep(id);
      this.#steps.set(id, state);
      this.#extra.push(id);
    }
    return state;
  }

  #openRun(segment: Segment): void {
    if (this.#runOpen) this.#runOpen.end = segment.start;
    this.#runOpen = segment;
    this.#run.push(segment);
  }

  #runEntry(type: string, t: number, data: Record<string, unknown>): void {
    if (type === 'run.queued') {
      this.#queuedAt ??= t;
      this.#openRun({ kind: 'queue', start: t, end: null });
    } else if (RUN_STARTS.has(type)) {
      this.#resume(t);
    } else if (type === 'run.waiting') {
      this.#openRun({ kind: 'wait', start: t, end: null, waitingFor: typeof data.waiting_for === 'string' ? data.waiting_for : undefined });
    } else if (type === 'run.released') {
      this.#openRun({ kind: 'queue', start: t, end: null, outcome: 'released' });
    } else if (RUN_ENDS.has(type)) {
      this.#endedAt = t;
      if (this.#runOpen) {
        this.#runOpen.end = t;
        this.#runOpen.outcome = type === 'run.skipped' ? 'skipped' : 'ended';
        this.#runOpen = null;
      }
      for (const s of this.#steps.values()) {
        if (s.wait) closeWait(s, t, false);
        if (s.exec) closeExec(s, t, 'canceled');
      }
    }
  }

  /**
   * The run was picked up again: steps whose wait is over run on from now, and the time between
   * a wait's end and now was spent queued for a worker (on the run row too).
   */
  #resume(t: number): void {
    let earliest: number | null = null;
    for (const s of this.#steps.values()) {
      if (!s.wait) continue;
      const explicit = WOKEN_EXPLICITLY.has(s.wait.waitingFor);
      const due = s.wait.wokeAt ?? s.wait.wakeAt;
      if ((explicit && s.wait.wokeAt === null) || (due !== null && due > t)) continue;
      const { attempt, waitingFor } = s.wait;
      const end = closeWait(s, t, true);
      earliest = earliest === null ? end : Math.min(earliest, end);
      // a retry's next attempt begins with its own step.started
      if (waitingFor !== 'retry') s.exec = { start: t, attempt };
    }
    const prev = this.#runOpen;
    if (prev && prev.kind === 'wait' && earliest !== null && earliest > prev.start && earliest < t) {
      prev.end = earliest;
      this.#runOpen = null;
      this.#openRun({ kind: 'queue', start: earliest, end: null });
    }
    this.#openRun({ kind: 'exec', start: t, end: null });
  }

  #stepEntry(s: StepState, event: RunEventView, t: number, data: Record<string, unknown>): void {
    const type = event.type as string;
    s.line.events++;
    if (type === 'step.started') {
      const attempt = num(data.attempt) ?? s.attempt + 1;
      if (s.wait) closeWait(s, t, true);
      if (s.exec) closeExec(s, t, 'ended');
      s.exec = { start: t, attempt };
      s.attempt = attempt;
    } else if (type in STEP_ENDS) {
      this.#stepEnd(s, type, t, data);
    } else if (type === 'step.skipped') {
      s.line.segments.push({ kind: 'exec', start: t, end: t, outcome: 'skipped' });
    } else if (WAKERS.has(type)) {
      if (s.wait && s.wait.wokeAt === null) s.wait.wokeAt = t;
      s.line.markers.push({ at: t, type });
    } else if (type === 'approval.requested' || type === 'plan.accepted') {
      s.line.markers.push({ at: t, type });
    } else if (type === 'agent.model_call') {
      s.line.modelCalls++;
      s.line.inputTokens += num(data.input_tokens) ?? 0;
      s.line.outputTokens += num(data.output_tokens) ?? 0;
      s.line.costUsd += num(data.cost_usd) ?? 0;
    } else if (type === 'agent.tool_call') {
      s.line.toolCalls++;
    } else if (type.startsWith('artifact.')) {
      this.#artifacts.push({
        seq: event.seq,
        stepId: event.step_id,
        artifactId: typeof data.artifact_id === 'string' ? data.artifact_id : null,
        position: num(data.position),
        valid: data.valid === true,
        sha256: typeof data.sha256 === 'string' ? data.sha256 : null,
        kind: type.slice('artifact.'.length),
        errors: data.errors ?? null,
        at: t,
      });
    }
  }

  /** An attempt ended: done, failed, suspended (a wait begins) or to be retried (a backoff begins). */
  #stepEnd(s: StepState, type: string, t: number, data: Record<string, unknown>): void {
    const outcome = STEP_ENDS[type];
    const attempt = num(data.attempt) ?? s.attempt;
    // A wait that ended inside the same worker segment (a short sleep): the step went on running.
    if (s.wait) {
      const resumed = s.wait.attempt;
      s.exec = { start: closeWait(s, t, false), attempt: resumed };
    }
    const error = data.error ? (record(data.error) as Segment['error']) : null;
    if (s.exec) closeExec(s, t, outcome, error);
    else if (outcome === 'canceled' || outcome === 'failed') s.line.segments.push({ kind: 'exec', start: t, end: t, attempt, outcome, error });
    if (type === 'step.waiting' || type === 'step.retrying') {
      const retry = type === 'step.retrying';
      s.wait = {
        start: t,
        attempt,
        waitingFor: retry ? 'retry' : typeof data.waiting_for === 'string' ? data.waiting_for : 'wait',
        wakeAt: isoMs(retry ? data.retry_at : data.wake_at),
        wokeAt: null,
      };
    }
  }
}

/** The timeline of a run from its log; `stepIds` (the run's steps, in order) keep rows for steps not started yet. */
export function buildTimeline(events: readonly RunEventView[], stepIds: readonly string[] = []): RunTimeline {
  const builder = new TimelineBuilder(stepIds);
  for (const event of events) builder.add(event);
  return builder.result();
}

/** Time spent per segment kind on a row (open segments counted up to `now`). */
export function totals(segments: readonly Segment[], now: number): Record<SegmentKind, number> {
  const sum: Record<SegmentKind, number> = { queue: 0, exec: 0, wait: 0 };
  for (const seg of segments) sum[seg.kind] += Math.max(0, (seg.end ?? now) - seg.start);
  return sum;
}

/** A step's time from its first start to its end, retries and waits included (null: not started). */
export function stepSpan(segments: readonly Segment[], now: number): number | null {
  if (segments.length === 0) return null;
  let end = segments[0].start;
  for (const s of segments) end = Math.max(end, s.end ?? now);
  return end - segments[0].start;
}

/** The run's total time in its first queue: created until a worker started it. */
export function initialQueueDelay(timeline: RunTimeline, now: number): number | null {
  const first = timeline.run[0];
  if (!first || first.kind !== 'queue') return null;
  return (first.end ?? now) - first.start;
}
