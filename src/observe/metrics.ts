/**
 * A node's Prometheus metrics (SPEC §8), on the node's own prom-client `Registry`: several nodes
 * may live in one process (tests, an embedding application), so nothing goes to the global one.
 * Names follow the Prometheus conventions: base units in the name (`_seconds`, `_usd`), `_total`
 * on counters. Label values come from closed sets or from names the operator chose (automations,
 * actions, models), never from request data.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { WaitingFor } from '../states.js';
import type {
  ModelCallObservation,
  RetentionSweepObservation,
  RunFinishedObservation,
  RunSkippedObservation,
  RunStartedObservation,
  StepAttemptStatus,
  WebhookDeliveryObservation,
} from '../telemetry.js';
import type { Logger } from '../engine/logger.js';
import { LabelCache } from './label-cache.js';
import { DatabaseGauges, type OpenRunsSource } from './database-gauges.js';

type CounterChild = { inc(value?: number): void };
type HistogramChild = { observe(value: number): void };

export interface NodeMetricsOptions {
  /** label run metrics by automation (false for very many automations) */
  automationLabels: boolean;
  /** how long the database gauges are cached between scrapes */
  gaugeCacheMs: number;
  openRuns: OpenRunsSource;
  logger: Logger;
}

const SECONDS_FAST = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const SECONDS_WIDE = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/** distinct provider/model label pairs of the rota_llm_* metrics before `other` */
export const MAX_MODEL_LABELS = 100;

export class NodeMetrics {
  readonly registry = new Registry();
  readonly #byAutomation: boolean;
  readonly #started: LabelCache<CounterChild>;
  readonly #finished: LabelCache<CounterChild>;
  readonly #skipped: LabelCache<CounterChild>;
  readonly #steps: LabelCache<HistogramChild>;
  readonly #queueDelay: LabelCache<HistogramChild>;
  readonly #lateness: HistogramChild;
  readonly #takeovers: CounterChild;
  readonly #commits: HistogramChild;
  readonly #deliveries: LabelCache<CounterChild>;
  readonly #llmCalls: LabelCache<CounterChild>;
  readonly #llmTokens: LabelCache<CounterChild>;
  readonly #llmCost: LabelCache<CounterChild>;
  readonly #llmDuration: LabelCache<HistogramChild>;
  readonly #retentionRuns: LabelCache<CounterChild>;
  readonly #retentionRows: LabelCache<CounterChild>;

  constructor(options: NodeMetricsOptions) {
    const registers = [this.registry];
    const a = options.automationLabels ? ['automation'] : [];
    this.#byAutomation = options.automationLabels;
    const counter = (name: string, help: string, labelNames: string[]) => new Counter({ name, help, labelNames, registers });
    const histogram = (name: string, help: string, labelNames: string[], buckets: number[]) => new Histogram({ name, help, labelNames, buckets, registers });

    const started = counter('rota_runs_started_total', 'Runs this node started (claimed for the first time), by automation and trigger kind.', [...a, 'trigger']);
    const finished = counter('rota_runs_finished_total', 'Runs that ended on this node, by automation, trigger kind and terminal status.', [...a, 'trigger', 'status']);
    const skipped = counter('rota_runs_skipped_total', 'Fires recorded as skipped runs (not executed), by automation, trigger kind and reason.', [...a, 'trigger', 'reason']);
    this.#started = new LabelCache((v) => started.labels(...v));
    this.#finished = new LabelCache((v) => finished.labels(...v));
    this.#skipped = new LabelCache((v) => skipped.labels(...v));
    const steps = histogram('rota_step_duration_seconds', 'Duration of step attempts by action and outcome (succeeded, failed, waiting: suspended).', ['action', 'status'], SECONDS_WIDE);
    this.#steps = new LabelCache((v) => steps.labels(...v));
    const delay = histogram('rota_queue_delay_seconds', 'Time from queued to started, by trigger kind.', ['trigger'], SECONDS_WIDE);
    this.#queueDelay = new LabelCache((v) => delay.labels(...v));
    this.#lateness = histogram('rota_schedule_lateness_seconds', 'Time from a schedule slot to its run being recorded.', [], [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]);
    this.#takeovers = counter('rota_lease_takeovers_total', 'Runs this node took over after their owner\'s lease expired.', []);
    this.#commits = histogram('rota_db_commit_duration_seconds', 'Duration of the engine\'s group-commit transactions.', [], SECONDS_FAST);
    const deliveries = counter('rota_webhook_deliveries_total', 'Webhook requests by outcome (accepted, duplicate, filtered, rejected) and rejection reason.', ['outcome', 'reason']);
    this.#deliveries = new LabelCache((v) => deliveries.labels(...v));
    const calls = counter('rota_llm_calls_total', 'Model calls of agent steps by provider, model and status (ok, error).', ['provider', 'model', 'status']);
    const tokens = counter('rota_llm_tokens_total', 'Tokens of model calls by provider, model and direction (input, output).', ['provider', 'model', 'direction']);
    const cost = counter('rota_llm_cost_usd_total', 'Cost of model calls in USD (from the configured prices) by provider and model.', ['provider', 'model']);
    const llmDuration = histogram('rota_llm_call_duration_seconds', 'Duration of model calls by provider and model.', ['provider', 'model'], SECONDS_WIDE);
    this.#llmCalls = new LabelCache((v) => calls.labels(...v));
    this.#llmTokens = new LabelCache((v) => tokens.labels(...v));
    this.#llmCost = new LabelCache((v) => cost.labels(...v));
    this.#llmDuration = new LabelCache((v) => llmDuration.labels(...v));
    const retentionRuns = counter('rota_retention_deleted_runs_total', 'Runs deleted by the retention sweeper, by reason.', ['reason']);
    this.#retentionRuns = new LabelCache((v) => retentionRuns.labels(...v));
    const retentionRows = counter('rota_retention_deleted_rows_total', 'Rows deleted by the retention sweeper, by table (runs, steps, run_events, events, webhook_deliveries, ...).', ['table']);
    this.#retentionRows = new LabelCache((v) => retentionRows.labels(...v));

    const gauges = new DatabaseGauges(options.openRuns, options.gaugeCacheMs, options.logger);
    new Gauge({
      name: 'rota_runs_queued',
      help: 'Runs queued in the database (all nodes), cached for a few seconds.',
      registers,
      async collect() {
        this.set((await gauges.read()).queued);
      },
    });
    new Gauge({
      name: 'rota_runs_waiting',
      help: 'Runs waiting in the database (all nodes) by what they wait for, cached for a few seconds.',
      labelNames: ['waiting_for'],
      registers,
      async collect() {
        const counts = await gauges.read();
        for (const w of Object.values(WaitingFor)) this.set({ waiting_for: w }, counts.waiting.get(w) ?? 0);
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  runStarted(o: RunStartedObservation): void {
    (this.#byAutomation ? this.#started.get(o.automation, o.trigger) : this.#started.get(o.trigger)).inc();
    this.#queueDelay.get(o.trigger).observe(Math.max(0, o.queuedMs) / 1000);
  }

  runFinished(o: RunFinishedObservation): void {
    (this.#byAutomation ? this.#finished.get(o.automation, o.trigger, o.status) : this.#finished.get(o.trigger, o.status)).inc();
  }

  runSkipped(o: RunSkippedObservation): void {
    (this.#byAutomation ? this.#skipped.get(o.automation, o.trigger, o.reason) : this.#skipped.get(o.trigger, o.reason)).inc();
  }

  stepFinished(action: string, status: StepAttemptStatus, seconds: number): void {
    this.#steps.get(action, status).observe(seconds);
  }

  leaseTakenOver(): void {
    this.#takeovers.inc();
  }

  commitFinished(ms: number): void {
    this.#commits.observe(ms / 1000);
  }

  scheduleFired(latenessMs: number): void {
    this.#lateness.observe(Math.max(0, latenessMs) / 1000);
  }

  webhookDelivery(o: WebhookDeliveryObservation): void {
    this.#deliveries.get(o.outcome, o.reason ?? '').inc();
  }

  modelCall(o: ModelCallObservation): void {
    const model = this.#modelLabel(o.provider, o.model);
    this.#llmCalls.get(o.provider, model, o.status).inc();
    if (o.inputTokens > 0) this.#llmTokens.get(o.provider, model, 'input').inc(o.inputTokens);
    if (o.outputTokens > 0) this.#llmTokens.get(o.provider, model, 'output').inc(o.outputTokens);
    if (o.costUsd > 0) this.#llmCost.get(o.provider, model).inc(o.costUsd);
    this.#llmDuration.get(o.provider, model).observe(o.seconds);
  }

  readonly #models = new Set<string>();

  /**
   * A model id is free text (a definition may even template it), so the label takes the first
   * MAX_MODEL_LABELS distinct provider/model pairs and `other` after them: the series stay bounded.
   */
  #modelLabel(provider: string, model: string): string {
    const key = `${provider}\u0000${model}`;
    if (this.#models.has(key)) return model;
    if (this.#models.size >= MAX_MODEL_LABELS) return 'other';
    this.#models.add(key);
    return model;
  }

  retentionSwept(o: RetentionSweepObservation): void {
    for (const [reason, n] of Object.entries(o.runsByReason)) if (n > 0) this.#retentionRuns.get(reason).inc(n);
    for (const [table, n] of Object.entries(o.rowsByTable)) if (n > 0) this.#retentionRows.get(table).inc(n);
  }

  /** The exposition in the Prometheus text format. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
