/**
 * Trigger health: each trigger counts the consecutive fires that failed to start a run (inputs
 * that do not validate or an inputs mapping that fails, both recorded as a `skipped` run with
 * `invalid_inputs`; a fire that threw), with the last error and its time; a fire that starts a
 * run sets the count back to 0. Filtered activations, duplicates and deliberate skips (paused,
 * overlap, fire limit, misfire) change nothing.
 *
 * Cost on the fire paths: the healthy case writes nothing. The scheduler folds its batch into one
 * statement, issued only when a trigger of the batch fails or recovers; single fires (webhooks,
 * events) write only on a failure or on the first good fire after one, and know which triggers
 * are failing from a set re-read at most once a second (other nodes' failures included). Why a
 * run was skipped comes with the fire's result (run creation decided it): nothing is read back.
 */
import type { EngineContext } from '../engine/context.js';
import type { FireRequest, FireResult } from '../engine/fire.js';
import { toErrorShape } from '../errors.js';
import { SkipReason } from '../states.js';
import type { Conn } from '../store/connect.js';
import { failingTriggers, recordTriggerHealth, type HealthChange } from '../store/trigger-health.js';
import type { Skip } from '../engine/run-creation.js';
import type { DueSchedule } from '../store/schedules.js';

const FAILING_TTL_MS = 1_000;

type Fire = (request: FireRequest) => Promise<FireResult>;
type Outcome = { kind: 'good' } | { kind: 'failed'; error: string } | { kind: 'none' };

export class TriggerHealth {
  #failing = new Set<string>();
  #loadedAt = Number.NEGATIVE_INFINITY;
  #loading: Promise<void> | null = null;

  constructor(private readonly ctx: EngineContext) {}

  /** `fire` for single activations (webhooks, events), recording the trigger's health. */
  wrap(fire: Fire): Fire {
    return async (req) => {
      let result: FireResult;
      try {
        result = await fire(req);
      } catch (err) {
        const shape = toErrorShape(err);
        await this.#record(req, { kind: 'failed', error: `${shape.code}: ${shape.message}` });
        throw err;
      }
      await this.#record(req, outcomeOf(result));
      return result;
    };
  }

  /**
   * The scheduler's batch, in its transaction: `rows` are the batch's triggers with their stored
   * count, `requests` and `results` its fires in order.
   */
  async recordBatch(tx: Conn, rows: DueSchedule[], requests: FireRequest[], results: FireResult[]): Promise<void> {
    const outcomes = results.map(outcomeOf);
    const byTrigger = new Map<string, HealthChange>();
    for (const [i, req] of requests.entries()) {
      const outcome = outcomes[i]!;
      if (outcome.kind === 'none') continue;
      const k = key(req);
      const change = byTrigger.get(k) ?? { automationId: req.automationId, triggerId: req.triggerId, failures: 0, lastError: null };
      // in slot order: a good fire after failures starts the count again
      if (outcome.kind === 'good') change.failures = 0;
      else Object.assign(change, { failures: change.failures + 1, lastError: outcome.error });
      byTrigger.set(k, change);
    }
    const stored = new Map(rows.map((r) => [key({ automationId: r.automation_id, triggerId: r.trigger_id }), r.failure_count]));
    const changes = [...byTrigger.entries()].filter(([k, c]) => c.failures > 0 || (stored.get(k) ?? 0) > 0).map(([, c]) => c);
    await recordTriggerHealth(tx, this.ctx.store.dialect, changes, this.ctx.clock.now());
  }

  /** A scheduled fire that failed outside any transaction (the scheduler quarantines the trigger). */
  async recordFailure(automationId: string, triggerId: string, err: unknown): Promise<void> {
    const shape = toErrorShape(err);
    await this.#record({ automationId, triggerId }, { kind: 'failed', error: `${shape.code}: ${shape.message}` });
  }

  async #record(req: { automationId: string; triggerId: string }, outcome: Outcome): Promise<void> {
    if (outcome.kind === 'none') return;
    const k = key(req);
    const change = { automationId: req.automationId, triggerId: req.triggerId, failures: outcome.kind === 'failed' ? 1 : 0, lastError: outcome.kind === 'failed' ? outcome.error : null };
    try {
      if (outcome.kind === 'good' && !(await this.#mayBeFailing(k))) return;
      await recordTriggerHealth(this.ctx.store.db, this.ctx.store.dialect, [change], this.ctx.clock.now());
      if (outcome.kind === 'failed') this.#failing.add(k);
      else this.#failing.delete(k);
    } catch (err) {
      // health is bookkeeping: losing one update must not fail the delivery that caused it
      this.ctx.logger.warn({ err: toErrorShape(err), trigger_id: req.triggerId }, 'could not record trigger health');
    }
  }

  async #mayBeFailing(k: string): Promise<boolean> {
    if (this.ctx.clock.now() - this.#loadedAt > FAILING_TTL_MS) {
      this.#loading ??= failingTriggers(this.ctx.store.db)
        .then((set) => {
          this.#failing = set;
          this.#loadedAt = this.ctx.clock.now();
        })
        .finally(() => {
          this.#loading = null;
        });
      await this.#loading;
    }
    return this.#failing.has(k);
  }
}

function outcomeOf(r: FireResult): Outcome {
  if (r.kind !== 'run' || !r.created) return { kind: 'none' };
  if (r.status !== 'skipped') return { kind: 'good' };
  return r.skip?.reason === SkipReason.invalid_inputs ? { kind: 'failed', error: `${SkipReason.invalid_inputs}: ${skipMessage(r.skip)}` } : { kind: 'none' };
}

/** The skip's message, with its first problem: "inputs do not match ..." alone does not say which input. */
function skipMessage(skip: Skip): string {
  const first = Array.isArray(skip.details) ? (skip.details[0] as { path?: unknown; message?: unknown } | undefined) : undefined;
  return typeof first?.path === 'string' && typeof first.message === 'string' ? `${skip.message} (${first.path}: ${first.message})` : skip.message;
}

function key(req: { automationId: string; triggerId: string }): string {
  return `${req.automationId}\u0000${req.triggerId}`;
}
