/** MCP tools over stdio and streamable HTTP, against a real MCP server written with the MCP SDK. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { forEachDialect, uniqueName } from '../support/node.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';
import { makeAgentNode } from './harness.js';
// @ts-expect-error: a plain ESM fixture without type declarations
import { makeServer } from './fixtures/mcp-server.mjs';

const FIXTURE = fileURLToPath(new URL('./fixtures/mcp-server.mjs', import.meta.url));

async function startHttpMcp(calls: unknown[]): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', async () => {
      // stateless: a fresh server and transport per request
      const mcp = makeServer(calls);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => void transport.close());
      await mcp.connect(transport);
      await transport.handleRequest(req, res, raw ? JSON.parse(raw) : undefined);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`, server };
}

forEachDialect('agent: MCP tools', (db) => {
  let llm: StandIn;
  let http: { url: string; server: Server };
  const httpCalls: { name: string; args: unknown }[] = [];
  before(async () => {
    llm = await startStandIn();
    http = await startHttpMcp(httpCalls);
  });
  after(async () => {
    await llm.close();
    http.server.closeAllConnections();
    await new Promise((r) => http.server.close(r));
  });

  test('stdio and HTTP servers: tools listed to the model as server__tool, called with the arguments', async () => {
    const node = await makeAgentNode(db, llm, {
      config: {
        mcpServers: {
          local: { transport: 'stdio', command: process.execPath, args: [FIXTURE], env: { MCP_SUFFIX: '!' }, cwd: null },
          remote: { transport: 'http', url: http.url, headers: {} },
        },
      },
    });
    const name = uniqueName('mcp');
    await node.apply({ name, steps: [{ id: 'a', action: 'agent', with: { prompt: 'Use the tools', tools: ['local.shout', 'remote.*'] } }] });
    llm.script([
      { toolCalls: [{ name: 'local__shout', arguments: { text: 'hi' } }, { name: 'remote__add', arguments: { a: 2, b: 3 } }] },
      { text: 'HI! and 5' },
    ]);
    const start = llm.calls.length;
    const run = await node.runToEnd(name, {}, 20_000);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.deepEqual(llm.calls[start]!.tools.sort(), ['local__shout', 'remote__add', 'remote__shout']);
    const results = JSON.stringify(llm.calls.at(-1)!.messages);
    assert.ok(results.includes('HI!'), results);
    assert.ok(results.includes('5'), results);
    assert.deepEqual(httpCalls.at(-1), { name: 'add', args: { a: 2, b: 3 } });
    const conversation = await node.rota.agent!.conversation(node.ws, run.id, 'a');
    assert.deepEqual(conversation.calls.filter((c) => c.kind === 'tool').map((c) => c.name), ['local.shout', 'remote.add']);
  });

  test('an MCP server that is not configured is a definition error', async () => {
    const node = await makeAgentNode(db, llm);
    await assert.rejects(node.apply({ name: uniqueName('mcp-bad'), steps: [{ id: 'a', action: 'agent', with: { prompt: 'x', tools: ['nowhere.tool'] } }] }), /definition is invalid/);
  });
});
