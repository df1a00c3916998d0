/**
 * Clients of the MCP servers configured in `mcp_servers:` (stdio or streamable HTTP), connected
 * lazily on first use and kept for the node's lifetime. A failed connection is not cached, so the
 * next step tries again.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { McpServerConfig } from '../config/types.js';
import { ErrorCode, NonRetriableError, RetriableError } from '../errors.js';

export interface McpTool {
  server: string;
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface McpCallResult {
  isError: boolean;
  /** text parts joined; structured content when the server sent it */
  content: unknown;
}

export class McpConnections {
  readonly #servers: Readonly<Record<string, McpServerConfig>>;
  readonly #clients = new Map<string, Promise<Client>>();
  readonly #tools = new Map<string, McpTool[]>();

  constructor(servers: Readonly<Record<string, McpServerConfig>>) {
    this.#servers = servers;
  }

  has(server: string): boolean {
    return Object.hasOwn(this.#servers, server);
  }

  names(): string[] {
    return Object.keys(this.#servers);
  }

  async listTools(server: string, signal?: AbortSignal): Promise<McpTool[]> {
    const cached = this.#tools.get(server);
    if (cached) return cached;
    const client = await this.#client(server);
    const tools: McpTool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : undefined, { signal });
      for (const t of page.tools) {
        tools.push({ server, name: t.name, description: t.description ?? '', inputSchema: t.inputSchema as Record<string, unknown> });
      }
      cursor = page.nextCursor;
    } while (cursor);
    this.#tools.set(server, tools);
    return tools;
  }

  async callTool(server: string, name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<McpCallResult> {
    const client = await this.#client(server);
    const result = await client.callTool({ name, arguments: args }, undefined, { signal });
    const structured = (result as { structuredContent?: unknown }).structuredContent;
    const parts = Array.isArray(result.content) ? (result.content as { type: string; text?: string }[]) : [];
    const text = parts.filter((p) => p.type === 'text').map((p) => p.text ?? '').join('\n');
    return { isError: result.isError === true, content: structured ?? text };
  }

  async close(): Promise<void> {
    const clients = [...this.#clients.values()];
    this.#clients.clear();
    this.#tools.clear();
    await Promise.all(clients.map(async (p) => (await p.catch(() => null))?.close().catch(() => undefined)));
  }

  #client(server: string): Promise<Client> {
    const existing = this.#clients.get(server);
    if (existing) return existing;
    const config = this.#servers[server];
    if (!config) return Promise.reject(new NonRetriableError(`MCP server "${server}" is not configured`, { code: ErrorCode.tool_failed }));
    const connecting = connect(server, config);
    this.#clients.set(server, connecting);
    connecting.catch(() => this.#clients.delete(server));
    return connecting;
  }
}

async function connect(name: string, config: McpServerConfig): Promise<Client> {
  // The MCP SDK is loaded when a server is first used, not by every node at start.
  const [{ Client }, { StdioClientTransport }, { StreamableHTTPClientTransport }] = await Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/stdio.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
  ]);
  const client = new Client({ name: 'rota', version: '1' });
  const transport =
    config.transport === 'stdio'
      ? new StdioClientTransport({
          command: config.command,
          args: config.args,
          env: { ...inheritedEnv(), ...config.env },
          cwd: config.cwd ?? undefined,
          stderr: 'ignore',
        })
      : new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers: config.headers } });
  try {
    await client.connect(transport);
  } catch (err) {
    throw new RetriableError(`MCP server "${name}" could not be reached: ${(err as Error).message}`, { code: ErrorCode.tool_failed, cause: err });
  }
  return client;
}

/** PATH and the like, so `command: npx` works; never the node's own secrets (ROTA_*). */
function inheritedEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'LANG', 'TMPDIR', 'SystemRoot', 'USERPROFILE']) {
    const value = process.env[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
