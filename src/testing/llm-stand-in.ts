/**
 * A scripted LLM for tests: a loopback HTTP server speaking the OpenAI chat-completions and
 * Anthropic messages wire protocols (text, tool calls, usage, streaming SSE), answering from a
 * script and recording every call. Rota reaches it through the same providers and code path as a
 * real model; only the base URL differs. `createTestRota({ llm })` starts and configures one.
 *
 * @example
 * import { startLlmStandIn } from 'rota/testing';
 *
 * const llm = await startLlmStandIn();
 * llm.script([{ toolCalls: [{ name: 'http_fetch', arguments: { url } }] }, { text: '{"ok":true}' }]);
 * // config: providers: { fake: { kind: 'openai_compatible', baseUrl: llm.openaiBaseUrl, apiKeyEnv: null, headers: {} } }
 * // ... run an automation with an agent step ...
 * assert.equal(llm.calls.length, 2);
 * await llm.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** One scripted model turn. */
export interface LlmReply {
  /** the assistant's text (an agent step with `output_schema` expects JSON text) */
  text?: string;
  /** tool calls the model makes this turn (the agent runs them and calls the model again) */
  toolCalls?: { name: string; arguments: unknown; id?: string }[];
  /** token counts reported (default: estimated from the lengths) */
  usage?: { input?: number; output?: number; cached?: number };
  /** answer with this HTTP status and an error body instead */
  status?: number;
  error?: string;
  /** wait this long (real time) before answering */
  delayMs?: number;
}

/** A request the stand-in received, as the provider sent it. */
export interface LlmRequest {
  protocol: 'openai' | 'anthropic';
  /** 0-based arrival order */
  index: number;
  at: number;
  model: string;
  system: string | null;
  /** the request's messages as sent (wire format of the protocol) */
  messages: any[];
  tools: string[];
  stream: boolean;
  maxTokens: number | null;
  headers: IncomingMessage['headers'];
  body: any;
}

/**
 * The replies in order (a call past the end is answered 500 "no scripted reply"), or a function
 * that answers each request.
 */
export type LlmScript = LlmReply[] | ((request: LlmRequest) => LlmReply | Promise<LlmReply>);

export interface LlmStandIn {
  url: string;
  /** base URL for `kind: openai_compatible` */
  openaiBaseUrl: string;
  /** base URL for `kind: anthropic` */
  anthropicBaseUrl: string;
  /** every request received, in arrival order */
  calls: LlmRequest[];
  /** completed responses (fully written) */
  completed: { index: number; at: number }[];
  /** replaces the script (and starts it from its first reply) */
  script(script: LlmScript): void;
  close(): Promise<void>;
}

/** Starts a stand-in on a free loopback port; `close()` stops it. */
export async function startLlmStandIn(): Promise<LlmStandIn> {
  let script: LlmScript = [];
  let scripted = 0;
  const calls: LlmRequest[] = [];
  const completed: { index: number; at: number }[] = [];

  const next = async (request: LlmRequest): Promise<LlmReply> => {
    if (typeof script === 'function') return script(request);
    const reply = script[scripted++];
    return reply ?? { status: 500, error: `stand-in: no scripted reply for call #${request.index}` };
  };

  const server: Server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      void handle(req, res, raw).catch((err: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: err.message } }));
      });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const path = (req.url ?? '').split('?')[0]!;
    if (req.method === 'GET' && path.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'test-model', object: 'model', type: 'model' }] }));
      return;
    }
    const protocol = path.endsWith('/chat/completions') ? 'openai' : path.endsWith('/messages') ? 'anthropic' : null;
    if (req.method !== 'POST' || protocol === null) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `stand-in: no route ${req.method} ${path}` } }));
      return;
    }
    const body = JSON.parse(raw || '{}');
    const request: LlmRequest = {
      protocol,
      index: calls.length,
      at: Date.now(),
      model: body.model,
      system: protocol === 'anthropic' ? systemText(body.system) : (body.messages ?? []).filter((m: any) => m.role === 'system').map((m: any) => m.content).join('\n') || null,
      messages: protocol === 'anthropic' ? body.messages : (body.messages ?? []).filter((m: any) => m.role !== 'system'),
      tools: (body.tools ?? []).map((t: any) => (protocol === 'openai' ? t.function?.name : t.name)),
      stream: body.stream === true,
      maxTokens: body.max_tokens ?? body.max_completion_tokens ?? null,
      headers: req.headers,
      body,
    };
    calls.push(request);
    const reply = await next(request);
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (reply.status && reply.status >= 400) {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(protocol === 'openai' ? { error: { message: reply.error ?? 'error', type: 'server_error' } } : { type: 'error', error: { type: 'api_error', message: reply.error ?? 'error' } }));
      completed.push({ index: request.index, at: Date.now() });
      return;
    }
    const usage = {
      input: reply.usage?.input ?? Math.ceil(JSON.stringify(body.messages ?? []).length / 4),
      output: reply.usage?.output ?? Math.max(1, Math.ceil(((reply.text ?? '') + JSON.stringify(reply.toolCalls ?? [])).length / 4)),
      cached: reply.usage?.cached ?? 0,
    };
    const toolCalls = (reply.toolCalls ?? []).map((c, i) => ({ ...c, id: c.id ?? `call_${request.index}_${i}` }));
    if (protocol === 'openai') {
      if (request.stream) openaiStream(res, request, reply.text ?? '', toolCalls, usage);
      else openaiJson(res, request, reply.text ?? '', toolCalls, usage);
    } else if (request.stream) {
      anthropicStream(res, request, reply.text ?? '', toolCalls, usage);
    } else {
      anthropicJson(res, request, reply.text ?? '', toolCalls, usage);
    }
    completed.push({ index: request.index, at: Date.now() });
  }

  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: `${url}/anthropic/v1`,
    calls,
    completed,
    script: (s) => {
      script = s;
      scripted = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type Usage = { input: number; output: number; cached: number };
type Call = { name: string; arguments: unknown; id: string };

function systemText(system: unknown): string | null {
  if (typeof system === 'string') return system;
  if (Array.isArray(system)) return system.map((p: any) => p.text ?? '').join('\n');
  return null;
}

function openaiUsage(u: Usage) {
  return { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output, prompt_tokens_details: { cached_tokens: u.cached } };
}

function openaiJson(res: ServerResponse, req: LlmRequest, text: string, calls: Call[], usage: Usage): void {
  const message: Record<string, unknown> = { role: 'assistant', content: calls.length > 0 && text === '' ? null : text };
  if (calls.length > 0) message.tool_calls = calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.arguments) } }));
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: `chatcmpl-${req.index}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: req.model,
      choices: [{ index: 0, message, finish_reason: calls.length > 0 ? 'tool_calls' : 'stop' }],
      usage: openaiUsage(usage),
    }),
  );
}

function openaiStream(res: ServerResponse, req: LlmRequest, text: string, calls: Call[], usage: Usage): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const base = { id: `chatcmpl-${req.index}`, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: req.model };
  const send = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
  send({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
  for (const piece of chunks(text)) send({ ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
  calls.forEach((c, i) => {
    const args = JSON.stringify(c.arguments);
    send({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: i, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }, finish_reason: null }] });
    for (const piece of chunks(args)) send({ ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: i, function: { arguments: piece } }] }, finish_reason: null }] });
  });
  send({ ...base, choices: [{ index: 0, delta: {}, finish_reason: calls.length > 0 ? 'tool_calls' : 'stop' }] });
  send({ ...base, choices: [], usage: openaiUsage(usage) });
  res.end('data: [DONE]\n\n');
}

function anthropicContent(text: string, calls: Call[]) {
  return [...(text ? [{ type: 'text', text }] : []), ...calls.map((c) => ({ type: 'tool_use', id: c.id, name: c.name, input: c.arguments }))];
}

function anthropicUsage(u: Usage) {
  return { input_tokens: u.input - u.cached, output_tokens: u.output, cache_read_input_tokens: u.cached, cache_creation_input_tokens: 0 };
}

function anthropicJson(res: ServerResponse, req: LlmRequest, text: string, calls: Call[], usage: Usage): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: `msg_${req.index}`,
      type: 'message',
      role: 'assistant',
      model: req.model,
      content: anthropicContent(text, calls),
      stop_reason: calls.length > 0 ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: anthropicUsage(usage),
    }),
  );
}

function anthropicStream(res: ServerResponse, req: LlmRequest, text: string, calls: Call[], usage: Usage): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const u = anthropicUsage(usage);
  send('message_start', {
    type: 'message_start',
    message: { id: `msg_${req.index}`, type: 'message', role: 'assistant', model: req.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...u, output_tokens: 1 } },
  });
  let index = 0;
  if (text) {
    send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
    for (const piece of chunks(text)) send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
    send('content_block_stop', { type: 'content_block_stop', index });
    index++;
  }
  for (const c of calls) {
    send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: c.id, name: c.name, input: {} } });
    for (const piece of chunks(JSON.stringify(c.arguments))) send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
    send('content_block_stop', { type: 'content_block_stop', index });
    index++;
  }
  send('message_delta', { type: 'message_delta', delta: { stop_reason: calls.length > 0 ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: usage.output } });
  send('message_stop', { type: 'message_stop' });
  res.end();
}

function chunks(text: string, size = 7): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
