/**
 * One MCP server over one Rota client: the tools the token's scopes allow, and the resources.
 * Built per connection (stdio) or per request (stateless HTTP); building one costs well under a
 * millisecond, so nothing is cached between requests.
 *
 * @example
 * const client = createClient({ url: process.env.ROTA_URL!, token: process.env.ROTA_TOKEN });
 * const { scopes } = await client.whoami();
 * const server = createMcpServer({ client, scopes });
 * await server.connect(new StdioServerTransport());
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { RotaClient } from '../client/index.js';
import { automationTools } from './automation-tools.js';
import { registerResources } from './resources.js';
import { runTools } from './run-tools.js';
import { saveRunAsAutomation } from './save-run-tool.js';
import { canUse, type RotaTool } from './tool.js';
import { toolError } from './tool-error.js';
import { workspaceTools } from './workspace-tools.js';

/** Every tool, in the order `tools/list` shows them (before filtering by scope). */
export const ALL_TOOLS: readonly RotaTool[] = [...automationTools, ...runTools, saveRunAsAutomation, ...workspaceTools];

export const SERVER_NAME = 'rota';

export interface McpServerOptions {
  client: RotaClient;
  /** the token's scopes (`GET /whoami`): only the tools they allow are listed and callable */
  scopes: readonly string[];
  /** the server version told to clients */
  version?: string;
}

export function createMcpServer(opts: McpServerOptions): McpServer {
  const server = new McpServer(
    { name: SERVER_NAME, version: opts.version ?? '1' },
    {
      instructions:
        'Rota runs durable automations. Author a definition (resource rota://schema/definition, actions from list_actions), check it with validate_automation until valid, apply_automation, then start_run. Runs that wait for a human show up in list_approvals; decide_approval continues them. Long runs: start_run and wait_for_run answer after a bounded wait with the status; call wait_for_run again.',
    },
  );
  for (const tool of toolsFor(opts.scopes)) register(server, tool, opts.client);
  registerResources(server, opts.client);
  return server;
}

export function toolsFor(scopes: readonly string[]): RotaTool[] {
  return ALL_TOOLS.filter((tool) => canUse(tool, scopes));
}

const ErrorEnvelope = z
  .object({ code: z.string(), message: z.string(), details: z.unknown(), hint: z.string() })
  .describe("Rota's error shape; present only on an error result (isError true)");

/**
 * The published output schema: the result's fields, each optional, plus `error`. The SDK's client
 * (1.32) checks `structuredContent` against the output schema even when `isError` is true
 * (typescript-sdk issue #1943), so a schema that required the success fields would turn every
 * tool error into a protocol error. Success results are still checked whole, against `tool.output`.
 */
function publishedOutput(tool: RotaTool) {
  return z.object(tool.output).partial().extend({ error: ErrorEnvelope.optional() });
}

function register(server: McpServer, tool: RotaTool, client: RotaClient): void {
  const strict = z.object(tool.output);
  server.registerTool(
    tool.name,
    {
      title: tool.title,
      description: tool.description,
      inputSchema: tool.input,
      outputSchema: publishedOutput(tool),
      annotations: { title: tool.title, readOnlyHint: !tool.writes, openWorldHint: false },
    },
    (async (args: Record<string, unknown>): Promise<CallToolResult> => {
      try {
        const answer = await tool.run(client, args as never);
        const checked = strict.safeParse(answer.structured);
        if (!checked.success) return toolError(new Error(`the result of ${tool.name} does not match its output schema (a bug in Rota): ${checked.error.message}`));
        return { content: [{ type: 'text', text: answer.text }], structuredContent: answer.structured as Record<string, unknown> };
      } catch (err) {
        return toolError(err);
      }
    }) as never,
  );
}
