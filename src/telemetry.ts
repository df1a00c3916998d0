/**
 * The one sink every layer reports its observations to (metrics and operator log lines, SPEC §8):
 * runs started and ended, step attempts, lease takeovers, slow commits, schedule lateness, webhook
 * deliveries, model calls, retention sweeps. It is a root file so that the run core, the
 * scheduler, the triggers and the agent can all call it without importing the layer that
 * implements it (`observe/`, bound once in `node/rota.ts`).
 *
 * Contract of every method: synchronous, no database, no await, cheap (called on the hot path,
 * once per step attempt and commit), and it never throws into its caller.
 */
import type { RunStatus, SkipReason, TriggerKind } from './states.js';

/** The outcome of one step attempt: `waiting` is a suspension (approval, sleep, event, child run). */
export type StepAttemptStatus = 'succeeded' | 'failed' | 'waiting';

export interface RunStartedObservation {
  runId: string;
  automation: string;
  trigger: TriggerKind;
  /** from queued to claimed */
  queuedMs: number;
}

export interface RunFinishedObservation {
  runId: string;
  automation: string;
  trigger: TriggerKind;
  status: RunStatus;
  /** from started to ended; null when the run never started (canceled while queued) */
  durationMs: number | null;
  costUsd: number;
}

export interface RunSkippedObservation {
  runId: string;
  automation: string;
  trigger: TriggerKind;
  reason: SkipReason;
  message: string;
}

export interface ModelCallObservation {
  provider: string;
  model: string;
  status: 'ok' | 'error';
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  seconds: number;
}

export interface WebhookDeliveryObservation {
  /** accepted | duplicate | filtered | rejected */
  outcome: string;
  /** why a delivery was rejected (`signature`, `too_large`, ...), or null */
  reason: string | null;
  automationId: string | null;
  triggerId: string | null;
}

export interface RetentionSweepObservation {
  /** runs deleted by this batch per reason (`max_age`, `max_runs`, `keep_failed`) */
  runsByReason: Record<string, number>;
  /** rows deleted by this batch per table (`runs`, `steps`, `events`, `webhook_deliveries`, ...) */
  rowsByTable: Record<string, number>;
}

export interface Telemetry {
  runStarted(o: RunStartedObservation): void;
  runFinished(o: RunFinishedObservation): void;
  /** a fire recorded as a `skipped` run (overlap, fire limit, misfire, paused, budget, inputs) */
  runSkipped(o: RunSkippedObservation): void;
  stepFinished(action: string, status: StepAttemptStatus, seconds: number): void;
  /** this node claimed a running run whose lease had expired */
  leaseTakenOver(o: { runId: string; automation: string; previousOwner: string | null }): void;
  /** one group-commit transaction of `items` run changes took `ms` */
  commitFinished(ms: number, items: number): void;
  /** a schedule slot was recorded as a run `latenessMs` after its time */
  scheduleFired(automation: string, latenessMs: number): void;
  webhookDelivery(o: WebhookDeliveryObservation): void;
  modelCall(o: ModelCallObservation): void;
  /** called by the retention sweeper after each batch */
  retentionSwept(o: RetentionSweepObservation): void;
}

const nothing = (): void => undefined;

/** Observes nothing: the default of code that builds engine parts without a node (tests, tools). */
export const noopTelemetry: Telemetry = Object.freeze({
  runStarted: nothing,
  runFinished: nothing,
  runSkipped: nothing,
  stepFinished: nothing,
  leaseTakenOver: nothing,
  commitFinished: nothing,
  scheduleFired: nothing,
  webhookDelivery: nothing,
  modelCall: nothing,
  retentionSwept: nothing,
});
