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
  return {
    runStarted(o) {
      try {
        m?.runStarted(o);
      } catch (err) {
        dropped('runStarted', err);
      }
    },
    runFinished(o) {
      try {
        m?.runFinished(o);
        logger.info({ run_id: o.runId, automation: o.automation, trigger: o.trigger, status: o.status, duration_ms: o.durationMs, cost_usd: o.costUsd }, 'run finished');
      } catch (err) {
        dropped('runFinished', err);
      }
    },
    runSkipped(o) {
      try {
        m?.runSkipped(o);
        const line = { run_id: o.runId, automation: o.automation, trigger: o.trigger, reason: o.reason, message: o.message };
        // a misfire means slots were missed: the node was down or overloaded
        if (o.reason === SkipReason.misfire) logger.warn(line, 'schedule misfire: slots skipped');
        else logger.info(line, 'fire skipped');
      } catch (err) {
        dropped('runSkipped', err);
      }
    },
    stepFinished(action, status, seconds) {
      try {
        m?.stepFinished(action, status, seconds);
      } catch (err) {
        dropped('stepFinished', err);
      }
    },
    leaseTakenOver(o) {
      try {
        m?.leaseTakenOver();
        logger.warn({ run_id: o.runId, automation: o.automation, previous_owner: o.previousOwner }, 'took over a run whose lease expired (its node stopped or stalled)');
      } catch (err) {
        dropped('leaseTakenOver', err);
      }
    },
    commitFinished(ms, items) {
      try {
        m?.commitFinished(ms);
        if (ms > slowCommitMs) logger.warn({ duration_ms: Math.round(ms), items, threshold_ms: slowCommitMs }, 'slow database commit');
      } catch (err) {
        dropped('commitFinished', err);
      }
    },
    scheduleFired(automation, latenessMs) {
      try {
        m?.scheduleFired(latenessMs);
        logger.debug({ automation, lateness_ms: latenessMs }, 'schedule slot fired');
      } catch (err) {
        dropped('scheduleFired', err);
      }
    },
    webhookDelivery(o) {
      try {
        m?.webhookDelivery(o);
        if (o.outcome === 'rejected') logger.info({ automation_id: o.automationId, trigger_id: o.triggerId, reason: o.reason }, 'webhook delivery rejected');
      } catch (err) {
        dropped('webhookDelivery', err);
      }
    },
    modelCall(o) {
      try {
        m?.modelCall(o);
        logger.debug({ provider: o.provider, model: o.model, status: o.status, input_tokens: o.inputTokens, output_tokens: o.outputTokens, cost_usd: o.costUsd }, 'model call');
      } catch (err) {
        dropped('modelCall', err);
      }
    },
    retentionSwept(o) {
      try {
        // the sweeper logs its own batches; this only counts them
        m?.retentionSwept(o);
      } catch (err) {
        dropped('retentionSwept', err);
      }
    },
  };
}
