/**
 * A node's trace export: when `tracing.endpoint` is set (see config), the OpenTelemetry SDK is
 * loaded here, and only here, by dynamic `import()`: a node without tracing never loads it (a
 * test checks the loaded modules), and its instrumented code calls `@opentelemetry/api` with a
 * null tracer, i.e. makes no span at all (engine/run-trace.ts).
 *
 * Each node gets its own BasicTracerProvider, handed to the engine as a `Tracer`; none is
 * registered as the global provider, so several nodes in one process (tests, an embedding
 * application with its own OpenTelemetry setup) never trace into each other's exporter. The
 * global API is used for context propagation only: an AsyncLocalStorage context manager is
 * registered once per process unless the application registered one first.
 */
import { context, type Tracer } from '@opentelemetry/api';
import { tracingEnabled, type TracingConfig } from '../config/types.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Logger } from '../engine/logger.js';

export interface NodeTracing {
  readonly tracer: Tracer;
  /** Exports every ended span now. */
  flush(): Promise<void>;
  /** Flushes, then stops the exporter (on `rota.stop()`). */
  shutdown(): Promise<void>;
}

const INSTRUMENTATION = 'rota';

let contextManagerTried = false;

/**
 * The exports of a CommonJS package loaded by `import()`. Node gives them as named exports and
 * as `default` (module.exports); the `rota` binary's code-split bundle (esbuild) only as
 * `default`, which is therefore what is read.
 */
async function commonJs<T extends object>(module: Promise<T>): Promise<T> {
  const ns = await module;
  const exports = (ns as { default?: unknown }).default;
  return typeof exports === 'object' && exports !== null ? (exports as T) : ns;
}

/** The node's tracing, or null when its configuration exports no traces. */
export async function startTracing(config: TracingConfig, nodeId: string, logger?: Logger): Promise<NodeTracing | null> {
  if (!tracingEnabled(config)) return null;
  const [sdk, { OTLPTraceExporter }, { resourceFromAttributes }, { AsyncLocalStorageContextManager }] = await Promise.all([
    commonJs(import('@opentelemetry/sdk-trace-base')),
    commonJs(import('@opentelemetry/exporter-trace-otlp-http')),
    commonJs(import('@opentelemetry/resources')),
    commonJs(import('@opentelemetry/context-async-hooks')),
  ]);
  if (!contextManagerTried) {
    contextManagerTried = true;
    // false when the application registered its own: then that one propagates, which is as good.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  }
  const exporter = reportingFailures(new OTLPTraceExporter({ url: config.endpoint!, headers: { ...config.headers } }), config.endpoint!, logger);
  const provider = new sdk.BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': config.serviceName,
      'service.instance.id': nodeId,
      'rota.node.id': nodeId,
    }),
    sampler: new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(config.sampleRatio) }),
    spanProcessors: [new sdk.BatchSpanProcessor(exporter)],
  });
  return {
    tracer: provider.getTracer(INSTRUMENTATION),
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      await provider.forceFlush();
      await provider.shutdown();
    },
  };
}

const FAILURE_LOG_INTERVAL_MS = 60_000;

/**
 * The exporter, with failed exports reported in the node's log (warn, at most once a minute with
 * the count dropped meanwhile) instead of the SDK's silent diagnostic logger. The endpoint is
 * logged without its query or credentials.
 */
function reportingFailures(exporter: SpanExporter, endpoint: string, logger: Logger | undefined): SpanExporter {
  if (!logger) return exporter;
  const where = (() => {
    try {
      const u = new URL(endpoint);
      return `${u.protocol}//${u.host}${u.pathname}`;
    } catch {
      return 'the configured endpoint';
    }
  })();
  let lastLogged = 0;
  let failed = 0;
  return {
    export: (spans, done) =>
      exporter.export(spans, (result) => {
        if (result.code !== 0) {
          failed++;
          const now = Date.now();
          if (now - lastLogged >= FAILURE_LOG_INTERVAL_MS) {
            logger.warn({ endpoint: where, failed_batches: failed, err: result.error?.message }, 'could not export traces');
            lastLogged = now;
            failed = 0;
          }
        }
        done(result);
      }),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
