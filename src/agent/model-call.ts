/**
 * One model call through the AI SDK, normalized to what the agent loop records: the assistant's
 * text and tool calls, usage, and the response messages to append to the conversation. Tools are
 * declared without `execute`, so the SDK never runs one: the loop does (memoized, approved).
 */
import type { APICallError, ModelMessage, ToolSet } from 'ai';
import { ErrorCode, NonRetriableError, RetriableError } from '../errors.js';
import type { ResolvedModel } from './providers.js';

export interface ModelTool {
  /** the name the model sees */
  modelName: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface ModelRequest {
  system: string | undefined;
  messages: ModelMessage[];
  tools: ModelTool[];
  temperature: number | undefined;
  maxTokens: number;
}

export interface ModelTurn {
  text: string;
  toolCalls: { id: string; name: string; input: unknown }[];
  finishReason: string;
  usage: { input: number; output: number; cached: number };
  messages: ModelMessage[];
  /** the model that answered, as the provider names it (absent in calls recorded before it was kept) */
  responseModel?: string;
}

export async function callModel(model: ResolvedModel, request: ModelRequest, signal: AbortSignal): Promise<ModelTurn> {
  // Loaded on first use (~24 MB): a node whose automations have no agent step never pays for it.
  const { APICallError, generateText, jsonSchema, tool } = await import('ai');
  const tools: ToolSet = {};
  for (const t of request.tools) {
    tools[t.modelName] = tool({ description: t.description, inputSchema: jsonSchema(t.inputSchema as Parameters<typeof jsonSchema>[0]) });
  }
  try {
    const result = await generateText({
      model: await model.model,
      system: request.system,
      messages: request.messages,
      tools: request.tools.length > 0 ? tools : undefined,
      temperature: request.temperature,
      maxOutputTokens: request.maxTokens,
      maxRetries: 0,
      abortSignal: signal,
    });
    const turn: ModelTurn = {
      text: result.text,
      toolCalls: result.toolCalls.map((c) => ({ id: c.toolCallId, name: c.toolName, input: c.input ?? {} })),
      finishReason: result.finishReason,
      usage: {
        input: result.usage.inputTokens ?? 0,
        output: result.usage.outputTokens ?? 0,
        cached: result.usage.inputTokenDetails?.cacheReadTokens ?? 0,
      },
      messages: result.response.messages,
      ...(result.response.modelId ? { responseModel: result.response.modelId } : {}),
    };
    // What is recorded is what is used: a replay sees exactly this JSON.
    return JSON.parse(JSON.stringify(turn)) as ModelTurn;
  } catch (err) {
    if (signal.aborted) throw err;
    throw providerError(model, err, APICallError.isInstance);
  }
}

function providerError(model: ResolvedModel, err: unknown, isApiCallError: (e: unknown) => e is APICallError): Error {
  if (isApiCallError(err)) {
    const status = err.statusCode;
    const details = { model: model.ref, status: status ?? null };
    const message = `model ${model.ref} failed${status ? ` (HTTP ${status})` : ''}: ${err.message.slice(0, 500)}`;
    const retriable = err.isRetryable || status === undefined || status === 408 || status === 429 || status >= 500;
    return retriable ? new RetriableError(message, { code: ErrorCode.provider_error, details, cause: err }) : new NonRetriableError(message, { code: ErrorCode.provider_error, details, cause: err });
  }
  const message = `model ${model.ref} failed: ${(err as Error)?.message?.slice(0, 500) ?? String(err)}`;
  return new RetriableError(message, { code: ErrorCode.provider_error, details: { model: model.ref }, cause: err });
}
