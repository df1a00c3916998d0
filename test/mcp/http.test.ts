import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { apiClient, startTestServer, type TestServer } from '../api/harness.js';
import { DIALECTS } from '../support/node.js';
import { agentLoop, everyTool } from './scenario.js';
import { ALL_TOOL_NAMES, call, connectHttp, ok, READ_TOOLS, resourceText } from './harness.js';

const INIT = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };

for (const dialect of DIALECTS) {
  describe(`mcp over streamable HTTP (${dialect})`, () => {
    let server: TestServer;
    let admin: Client;
    let readOnly: Client;

    before(async () => {
      server = await startTestServer({ dialect });
      admin = await connectHttp(server.url, server.adminToken);
      const created = await apiClient(server.url, server.adminToken)('POST', '/api/v1/tokens', { json: { name: 'reader', scopes: ['runs:read'] } });
      assert.equal(created.status, 201, created.text);
      readOnly = await connectHttp(server.url, created.body.token);
    });
    after(async () => {
      await admin?.close();
      await readOnly?.close();
      await server?.close();
    });

    test('an admin token lists every tool, each with an input and an output schema', async () => {
      const { tools } = await admin.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ALL_TOOL_NAMES);
      for (const t of tools) {
        assert.equal(t.inputSchema.type, 'object', t.name);
        assert.equal(t.outputSchema?.type, 'object', `${t.name} has no output schema`);
        assert.ok(t.description && t.description.length > 20, t.name);
      }
      const start = tools.find((t) => t.name === 'start_run')!;
      assert.deepEqual(start.inputSchema.required, ['automation']);
      assert.equal((start.inputSchema.properties as any).wait_seconds.maximum, 60);
      assert.equal(start.annotations?.readOnlyHint, false);
    });

    test('every tool answers with structured content', () => everyTool(admin, `h${dialect}`));

    test('the scripted agent authors, fixes, applies, runs, approves and reads the report', async () => {
      const { report } = await agentLoop(admin, `agent-${dialect}`);
      assert.match(report, /approv/i);
    });

    test('a runs:read token sees only the read tools its scope allows, and a write tool is refused', async () => {
      const names = (await readOnly.listTools()).tools.map((t) => t.name).sort();
      assert.deepEqual(names, ['get_costs', 'get_run', 'get_run_report', 'list_actions', 'list_approvals', 'list_runs', 'wait_for_run']);
      for (const n of names) assert.ok(READ_TOOLS.includes(n));
      const refused = await call(readOnly, 'start_run', { automation: 'whatever' }).catch((err: Error) => ({ isError: true, text: err.message, structured: undefined }));
      assert.equal(refused.isError, true);
      assert.match(refused.text, /start_run/);
      const readable = await ok(readOnly, 'list_runs', {});
      assert.ok(Array.isArray(readable.runs));
    });

    test('a missing or bad token gets 401 with a WWW-Authenticate challenge; the SDK client fails to connect', async () => {
      for (const headers of [{}, { authorization: 'Bearer rota_not_a_real_token' }, { authorization: 'Basic abc' }] as Record<string, string>[]) {
        const res = await fetch(`${server.url}/mcp`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
          body: JSON.stringify(INIT),
        });
        assert.equal(res.status, 401);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
        const body: any = await res.json();
        assert.equal(body.error.code, 'unauthenticated');
      }
      await assert.rejects(connectHttp(server.url, 'rota_not_a_real_token'));
    });

    test('stateless: no session id, and each request stands alone', async () => {
      const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${server.adminToken}` };
      const res = await fetch(`${server.url}/mcp`, { method: 'POST', headers, body: JSON.stringify(INIT) });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('mcp-session-id'), null);
      const list = await fetch(`${server.url}/mcp`, {
        method: 'POST',
        headers: { ...headers, 'mcp-protocol-version': '2025-06-18' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} }),
      });
      assert.equal(list.status, 200);
      const body: any = await list.json();
      assert.equal(body.result.tools.length, ALL_TOOL_NAMES.length);
    });

    test('resources: the definition JSON Schema and the catalogs of actions and agent tools', async () => {
      const { resources } = await readOnly.listResources();
      assert.deepEqual(resources.map((r) => r.uri).sort(), ['rota://catalog/actions', 'rota://catalog/tools', 'rota://schema/definition']);
      const schema = JSON.parse(await resourceText(readOnly, 'rota://schema/definition'));
      assert.equal(schema.type, 'object');
      assert.ok(schema.properties.steps, 'the schema describes steps');
      const actions = JSON.parse(await resourceText(readOnly, 'rota://catalog/actions'));
      assert.ok(actions.some((a: { type: string }) => a.type === 'http'));
      const tools = JSON.parse(await resourceText(readOnly, 'rota://catalog/tools'));
      assert.ok(tools.some((t: { name: string }) => t.name === 'http_fetch' || t.name.length > 0));
    });
  });
}
