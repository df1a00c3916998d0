/**
 * `/mcp` over streamable HTTP, stateless: every POST gets a new server and transport
 * (`sessionIdGenerator: undefined`), so any node of several can answer any request and no session
 * state outlives it.
 *
 * The tools reach Rota through the same typed client as `rota mcp`, with a `fetch` that hands each
 * request to the node's own API handler in process: no socket, no second listener, and exactly the
 * API's authentication, scopes, validation and error shapes, because it is the API that answers.
 */
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { createClient, RotaApiError, type RotaClient } from '../client/index.js';
import { createMcpServer } from './server.js';

const BEARER = /^Bearer\s+(\S{1,300})\s*$/i;
// never resolved: requests to it go to the in-process handler
const IN_PROCESS_URL = 'http://rota.in-process';

export interface McpEndpointOptions {
  /** the node's API handler (`app.fetch` of createApi) */
  api: (request: Request) => Response | Promise<Response>;
  version?: string;
}

/** The `/mcp` handler: 401 without a valid bearer token, then one stateless MCP exchange. */
export function mcpEndpoint(opts: McpEndpointOptions): (request: Request) => Promise<Response> {
  const fetchApi = ((input: string | URL | Request, init?: RequestInit) => Promise.resolve(opts.api(new Request(input, init)))) as typeof fetch;
  return async (request) => {
    const match = BEARER.exec(request.headers.get('authorization') ?? '');
    if (!match) return refusal(401, 'unauthenticated', 'missing or malformed Authorization header; send "Bearer rota_..."');
    const client = createClient({ url: IN_PROCESS_URL, token: match[1], workspace: request.headers.get('x-rota-workspace') ?? undefined, fetch: fetchApi });
    let scopes: string[];
    try {
      scopes = (await client.whoami()).scopes;
    } catch (err) {
      if (err instanceof RotaApiError && err.status >= 400 && err.status < 500) return refusal(err.status, err.code, err.message);
      throw err;
    }
    return handleMcpRequest(request, { client, scopes, version: opts.version });
  };
}

export async function handleMcpRequest(request: Request, opts: { client: RotaClient; scopes: readonly string[]; version?: string }): Promise<Response> {
  const server = createMcpServer(opts);
  // JSON answers, not an SSE stream: a stateless exchange has nothing to stream after its one answer
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    // in JSON mode the answer is complete here, so closing frees the pair without cutting it short
    await server.close();
  }
}

function refusal(status: number, code: string, message: string): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="rota"';
  return new Response(JSON.stringify({ error: { code, message, details: null } }), { status, headers });
}
