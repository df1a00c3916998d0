/**
 * `rota mcp`: the MCP server on stdin/stdout, talking to a Rota server over HTTP as the CLI does.
 * The token's scopes are read once at start; stdout carries only MCP messages.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { RotaClient } from '../client/index.js';
import { createMcpServer } from './server.js';

/** Connects and resolves when stdin closes. Throws (RotaApiError) when the token is refused or the server is unreachable. */
export async function serveMcpStdio(client: RotaClient, opts: { version?: string } = {}): Promise<void> {
  const { scopes } = await client.whoami();
  const server = createMcpServer({ client, scopes, version: opts.version });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  await server.connect(transport);
  process.stdin.once('end', () => void server.close());
  await closed;
}
