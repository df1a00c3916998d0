/**
 * MCP test helpers: the official SDK's Client over streamable HTTP (against `/mcp` of a test
 * server) or over stdio (the built `rota mcp` binary), and small readers of tool results.
 */
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { BIN, cleanEnv } from '../cli/serve.js';

export async function connectHttp(baseUrl: string, token: string): Promise<Client> {
  const client = new Client({ name: 'rota-test', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}

export interface StdioMcp {
  client: Client;
  stderr(): string;
}

export async function connectStdio(baseUrl: string, token: string): Promise<StdioMcp> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp'],
    env: cleanEnv({ ROTA_URL: baseUrl, ROTA_TOKEN: token }) as Record<string, string>,
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const client = new Client({ name: 'rota-test', version: '1' });
  await client.connect(transport);
  return { client, stderr: () => err };
}

export interface ToolResult {
  isError: boolean;
  text: string;
  structured: any;
}

/** Calls a tool and returns its text and structured content (never throws for a tool error). */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolResult> {
  const result = (await client.callTool({ name, arguments: args })) as { isError?: boolean; content?: { type: string; text?: string }[]; structuredContent?: unknown };
  const text = (result.content ?? []).filter((c) => c.type === 'text').map((c) => c.text).join('\n');
  return { isError: result.isError === true, text, structured: result.structuredContent };
}

/** Calls a tool that must succeed; fails the test with the tool's error text otherwise. */
export async function ok(client: Client, name: string, args: Record<string, unknown> = {}): Promise<any> {
  const result = await call(client, name, args);
  assert.equal(result.isError, false, `${name} failed: ${result.text}`);
  assert.ok(result.text.length > 0, `${name} returned no text content`);
  assert.equal(typeof result.structured, 'object', `${name} returned no structured content`);
  return result.structured;
}

export const READ_TOOLS = ['list_automations', 'get_automation', 'validate_automation', 'preview_schedule', 'get_run', 'wait_for_run', 'list_runs', 'get_run_report', 'list_approvals', 'get_costs', 'list_actions'].sort();
export const WRITE_TOOLS = ['apply_automation', 'pause_automation', 'resume_automation', 'start_run', 'cancel_run', 'retry_run', 'replay_run', 'save_run_as_automation', 'decide_approval', 'publish_event'].sort();
export const ALL_TOOL_NAMES = [...READ_TOOLS, ...WRITE_TOOLS].sort();

export async function resourceText(client: Client, uri: string): Promise<string> {
  const { contents } = await client.readResource({ uri });
  assert.equal(contents.length, 1);
  const first = contents[0] as { text?: string; mimeType?: string };
  assert.equal(first.mimeType, 'application/json');
  return String(first.text);
}
