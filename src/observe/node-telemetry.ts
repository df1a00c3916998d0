/**
 * The node's {@link Telemetry}: each observation goes to the metrics (when enabled) and, where an
 * operator wants to read it, to a log line. Log lines carry ids, names, statuses and reasons, never
 * inputs, outputs, headers, signatures or secret values. Nothing here throws into the caller: a
 * failing observation is dropped (and said once at debug level).
 */
import { SkipReason } from '../states.js';
import type { Telemetry } from '../telemetry.js';
import type { Logger } from '../engine/logger.js';
import type { NodeMetrics } from './metrics.js';

export interface NodeTelemetryOptions {
  logger: Logger;
  /** null when metrics are turned off: only the log lines remain */
  metrics: NodeMetrics | null;
  /** a commit slower than this is logged at warn */
  slowCommitMs: number;
}

export function createNodeTelemetry({ logger, metrics: m, slowCommitMs }: NodeTelemetryOptions): Telemetry {
  let complained = false;
  const dropped = (what: string, err: unknown) => {
    if (complained) return;
    complained = true;
    try {
      logger.debug({ err: String(err), observation: what }, 'an observation failed and was dropped (said once)');
    } catch {
      // a logger that throws must not break the engine either
    }
  };
  const observe: Telemetry = {
    runStarted(o) {
      m?.runStarted(o);
    },
    runFinished(o) {
      m?.runFinished(o);
      logger.info({ run_id: o.runId, automation: o.automation, trigger: o.trigger, status: o.status, duration_ms: o.durationMs, cost_usd: o.costUsd }, 'run finished');
    },
    runSkipped(o) {
      m?.runSkipped(o);
      const line = { run_id: o.runId, automation: o.automation, trigger: o.trigger, reason: o.reason, message: o.message };
      // a misfire means slots were missed: the node was down or overloaded
      if (o.reason === SkipReason.misfire) logger.warn(line, 'schedule misfire: slots skipped');
      else logger.info(line, 'fire skipped');
    },
    stepFinished(action, status, seconds) {
      m?.stepFinished(action, status, seconds);
    },
    leaseTakenOver(o) {
      m?.leaseTakenOver();
      logger.warn({ run_id: o.runId, automation: o.automation, previous_owner: o.previousOwner }, 'took over a run whose lease expired (its node stopped or stalled)');
    },
    commitFinished(ms, items) {
      m?.commitFinished(ms);
      if (ms > slowCommitMs) logger.warn({ duration_ms: Math.round(ms), items, threshold_ms: slowCommitMs }, 'slow database commit');
    },
    scheduleFired(automation, latenessMs) {
      m?.scheduleFired(latenessMs);
      logger.debug({ automation, lateness_ms: latenessMs }, 'schedule slot fired');
    },
    webhookDelivery(o) {
      m?.webhookDelivery(o);
      if (o.outcome === 'rejected') logger.info({ automation_id: o.automationId, trigger_id: o.triggerId, reason: o.reason }, 'webhook delivery rejected');
    },
    modelCall(o) {
      m?.modelCall(o);
      logger.debug({ provider: o.provider, model: o.model, status: o.status, input_tokens: o.inputTokens, output_tokens: o.outputTokens, cost_usd: o.costUsd }, 'model call');
    },
    retentionSwept(o) {
      // the sweeper logs its own batches; this only counts them
      m?.retentionSwept(o);
    },
  };
  return guarded(observe, dropped);
}

/** `telemetry` with every call caught: an observation that throws is dropped, never the caller's problem. */
function guarded(telemetry: Telemetry, dropped: (what: string, err: unknown) => void): Telemetry {
  const out = {} as Record<string, (...args: unknown[]) => void>;
  for (const [name, fn] of Object.entries(telemetry) as [string, (...args: unknown[]) => void][]) {
    out[name] = (...args) => {
      try {
        fn(...args);
      } catch (err) {
        dropped(name, err);
      }
    };
  }
  return out as unknown as Telemetry;
}
