/**
 * Spans of an agent step's model and tool calls, children of the step's span, named and
 * attributed after the OpenTelemetry GenAI semantic conventions
 * (https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/). Only calls that are made
 * get a span: a memoized call replayed on resume costs nothing and sends nothing, so it has none.
 * Prompts, messages and tool arguments are not recorded (they may hold personal data and
 * secrets); the run's conversation view has them for people allowed to read the run.
 */
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import type { StepTrace } from '../actions/types.js';
import type { ErrorShape } from '../errors.js';
import type { ModelTurn } from './model-call.js';
import type { ResolvedModel } from './providers.js';

export function startModelSpan(trace: StepTrace | undefined, model: ResolvedModel, request: { maxTokens: number; temperature: number | undefined }): Span | null {
  if (!trace) return null;
  return trace.startSpan(`chat ${model.modelId}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': model.provider,
      // the attribute's name before semantic conventions 1.37, still what many backends read
      'gen_ai.system': model.provider,
      'gen_ai.request.model': model.modelId,
      'gen_ai.request.max_tokens': request.maxTokens,
      ...(request.temperature !== undefined ? { 'gen_ai.request.temperature': request.temperature } : {}),
      'rota.model': model.ref,
    },
  });
}

export function endModelSpan(span: Span | null, result: { turn: ModelTurn; costUsd: number } | { error: ErrorShape }): void {
  if (!span) return;
  if ('error' in result) {
    span.setAttribute('error.type', result.error.code);
    span.setStatus({ code: SpanStatusCode.ERROR, message: result.error.message.slice(0, 1000) });
  } else {
    const { turn, costUsd } = result;
    span.setAttributes({
      'gen_ai.response.finish_reasons': [turn.finishReason],
      'gen_ai.usage.input_tokens': turn.usage.input,
      'gen_ai.usage.output_tokens': turn.usage.output,
      'gen_ai.usage.cache_read.input_tokens': turn.usage.cached,
      'rota.cost_usd': costUsd,
    });
    if (turn.responseModel) span.setAttribute('gen_ai.response.model', turn.responseModel);
  }
  span.end();
}

/** `type`: `function` for Rota's and the application's tools, `extension` for an MCP server's. */
export function startToolSpan(trace: StepTrace | undefined, tool: { name: string; callId: string; type: 'function' | 'extension' }): Span | null {
  if (!trace) return null;
  return trace.startSpan(`execute_tool ${tool.name}`, {
    kind: SpanKind.INTERNAL,
    attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': tool.name, 'gen_ai.tool.call.id': tool.callId, 'gen_ai.tool.type': tool.type },
  });
}

/** A tool's error is told to the model, not thrown: the span is marked failed all the same. */
export function endToolSpan(span: Span | null, output: unknown): void {
  if (!span) return;
  const error = typeof output === 'object' && output !== null && 'error' in output ? (output as { error: unknown }).error : undefined;
  if (error !== undefined) {
    const code = typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : 'tool_error';
    span.setAttribute('error.type', code);
    // only the code: a tool's error text may echo what it was sent (a secret in a header, say)
    span.setStatus({ code: SpanStatusCode.ERROR, message: code });
  }
  span.end();
}
