/**
 * `save_run_as_automation` over streamable HTTP: listed only for tokens holding both runs:read and
 * automations:write; refusals carry paths and hints; a dry run saves nothing; the saved automation
 * runs (start_run) without its planner.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { apiClient, startTestServer, type TestServer } from '../api/harness.js';
import { DIALECTS } from '../support/node.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';
import { PRICE } from '../agent/harness.js';
import { call, connectHttp, ok } from './harness.js';

const TOOL = 'save_run_as_automation';
const isPlanning = (system: string | null) => (system ?? '').includes('planning step');

const PLANNER = {
  name: 'mcp-planner',
  inputs: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] },
  steps: [
    { id: 'research', action: 'agent', with: { prompt: 'Plan a short digest about {{ inputs.topic }}', plan: { allow: ['agent', 'set'], max_steps: 5 } } },
    { id: 'publish', action: 'set', with: { published: true } },
  ],
};

const PLAN = {
  steps: [
    { id: 'gather', action: 'set', with: { sources: ['a', 'b'] } },
    { id: 'write', action: 'agent', with: { prompt: 'Write a digest about {{ inputs.topic }} from {{ steps.gather.output.sources | json }}' } },
  ],
};

for (const dialect of DIALECTS) {
  describe(`mcp ${TOOL} (${dialect})`, () => {
    let llm: StandIn;
    let server: TestServer;
    let admin: Client;
    let saver: Client;
    const clients: Client[] = [];
    let source = '';

    const tokenClient = async (name: string, scopes: string[]): Promise<Client> => {
      const created = await apiClient(server.url, server.adminToken)('POST', '/api/v1/tokens', { json: { name, scopes } });
      assert.equal(created.status, 201, created.text);
      const client = await connectHttp(server.url, created.body.token);
      clients.push(client);
      return client;
    };

    before(async () => {
      llm = await startStandIn();
      llm.script((request) => (isPlanning(request.system) ? { text: JSON.stringify(PLAN) } : { text: 'the digest' }));
      server = await startTestServer({
        dialect,
        config: {
          providers: { fake: { kind: 'openai_compatible', baseUrl: llm.openaiBaseUrl, apiKeyEnv: null, headers: {} } },
          models: { default: { model: 'fake:test-model', price: PRICE } },
        } as never,
      });
      admin = await connectHttp(server.url, server.adminToken);
      clients.push(admin);
      saver = await tokenClient('saver', ['runs:read', 'automations:write']);
      await ok(admin, 'apply_automation', { definition: PLANNER });
      const run = await ok(admin, 'start_run', { automation: PLANNER.name, inputs: { topic: 'rust' }, wait_seconds: 30 });
      assert.equal(run.status, 'succeeded', JSON.stringify(run.run_error));
      source = run.run_id;
    });

    after(async () => {
      for (const client of clients) await client.close();
      await server?.close();
      await llm?.close();
    });

    test('listed for tokens with runs:read and automations:write (or admin), not for one of them alone', async () => {
      const listed = async (client: Client) => (await client.listTools()).tools.some((t) => t.name === TOOL);
      const tool = (await admin.listTools()).tools.find((t) => t.name === TOOL)!;
      assert.ok(tool, 'an admin token sees the tool');
      assert.equal(tool.annotations?.readOnlyHint, false);
      assert.deepEqual((tool.inputSchema.required as string[]).sort(), ['name', 'run_id']);
      assert.equal(await listed(saver), true);
      assert.equal(await listed(await tokenClient('runs-only', ['runs:read', 'runs:write'])), false);
      const writer = await tokenClient('automations-only', ['automations:write', 'automations:read']);
      assert.equal(await listed(writer), false);
      const refused = await call(writer, TOOL, { run_id: source, name: 'x' }).catch((err: Error) => ({ isError: true, text: err.message, structured: undefined }));
      assert.equal(refused.isError, true);
      assert.match(refused.text, new RegExp(TOOL));
    });

    test('get_run marks the planner and its planned steps', async () => {
      const run = await ok(admin, 'get_run', { run_id: source });
      assert.deepEqual(run.steps.map((s: { id: string; planned_by: string | null; plans: boolean }) => [s.id, s.planned_by, s.plans]), [
        ['research', null, true],
        ['research.gather', 'research', false],
        ['research.write', 'research', false],
        ['publish', null, false],
      ]);
    });

    test('problems come back with paths and hints; nothing is saved', async () => {
      const undeclared = await call(admin, TOOL, { run_id: source, name: 'mcp-digest' });
      assert.equal(undeclared.isError, true);
      assert.equal(undeclared.structured.error.code, 'definition_invalid');
      const problem = undeclared.structured.error.details.find((d: { path: string }) => d.path === '$.steps[1].with.prompt');
      assert.ok(problem, JSON.stringify(undeclared.structured.error.details));
      assert.match(problem.message, /input "topic" is not declared/);
      assert.match(problem.hint, /declare the input in `inputs`.*literal/);
      assert.match(undeclared.text, /\$\.steps\[1\]\.with\.prompt: /);

      const unused = await call(admin, TOOL, { run_id: source, name: 'mcp-digest', inputs: [{ name: 'topic', required: true }, { name: 'tone', default: 'dry' }] });
      assert.equal(unused.isError, true);
      const tone = unused.structured.error.details.find((d: { path: string }) => d.path === '$.inputs[1]');
      assert.match(tone.message, /input "tone" is not used/);
      assert.match(tone.hint, /drop it from `inputs`/);

      const missing = await call(admin, TOOL, { run_id: 'no-such-run', name: 'mcp-digest' });
      assert.equal(missing.structured.error.code, 'not_found');
      const gone = await call(admin, 'get_automation', { name: 'mcp-digest' });
      assert.equal(gone.structured.error.code, 'not_found');
    });

    test('a dry run reports and saves nothing; the save creates an automation that runs without planning', async () => {
      const request = { run_id: source, name: 'mcp-digest', description: 'A digest', inputs: [{ name: 'topic', description: 'what it is about', required: true }] };
      const dry = await ok(admin, TOOL, { ...request, dry_run: true });
      assert.equal(dry.dry_run, true);
      assert.equal(dry.version, null);
      assert.deepEqual(dry.report.frozen, [{ step: 'research', steps: ['research.gather', 'research.write'] }]);
      assert.deepEqual(dry.report.inputs.map((i: { name: string; used_at: string[] }) => [i.name, i.used_at]), [['topic', ['$.steps[1].with.prompt']]]);
      assert.match(dry.yaml, /^name: mcp-digest$/m);
      assert.match(dry.next, /without dry_run/);
      assert.equal((await call(admin, 'get_automation', { name: 'mcp-digest' })).structured.error.code, 'not_found');

      const saved = await ok(saver, TOOL, request);
      assert.equal(saved.created, true);
      assert.equal(saved.version, 1);
      assert.deepEqual(saved.definition.steps.map((s: { id: string }) => s.id), ['research.gather', 'research.write', 'publish']);
      assert.match(saved.next, /start_run with automation "mcp-digest" and inputs topic/);
      const versions = await apiClient(server.url, server.adminToken)('GET', '/api/v1/automations/mcp-digest/versions');
      assert.equal(versions.body.items[0].saved_from_run, source);

      const planningCalls = llm.calls.filter((c) => isPlanning(c.system)).length;
      const run = await ok(admin, 'start_run', { automation: 'mcp-digest', inputs: { topic: 'zig' }, wait_seconds: 30 });
      assert.equal(run.status, 'succeeded', JSON.stringify(run.run_error));
      assert.equal(llm.calls.filter((c) => isPlanning(c.system)).length, planningCalls, 'no planner call');
      assert.match(JSON.stringify(llm.calls.at(-1)!.messages), /Write a digest about zig from/);
    });
  });
}
