/**
 * W3C Trace Context (`traceparent`) in and out, with `@opentelemetry/api` only: the SDK's
 * propagator lives in `@opentelemetry/core`, which a node without tracing never loads.
 * https://www.w3.org/TR/trace-context/#traceparent-header
 */
import { ROOT_CONTEXT, trace, type Context, type SpanContext } from '@opentelemetry/api';

// version 00 (later versions may append fields after the flags, which a version-00 reader ignores)
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * The span context of a `traceparent` value, or null when it is absent or invalid. As the W3C
 * specification requires, an invalid header is ignored (the run starts a trace of its own), not
 * refused: a caller's broken tracing must not break its calls.
 */
export function parseTraceparent(value: string | null | undefined): SpanContext | null {
  if (typeof value !== 'string' || value.length > 512) return null;
  const m = TRACEPARENT.exec(value.trim());
  if (!m) return null;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return null;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return null;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) & 1, isRemote: true };
}

export function formatTraceparent(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 1) === 1 ? '01' : '00'}`;
}

/** A context whose parent is the span `traceparent` names (ROOT_CONTEXT when it names none). */
export function contextOf(traceparent: string | null | undefined): Context {
  const parent = parseTraceparent(traceparent);
  return parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
}
