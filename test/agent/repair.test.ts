/** Agent loop with a registered tool, output_schema validation and the single repair turn. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachDialect, stepOf, uniqueName } from '../support/node.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';
import { makeAgentNode, PRICE } from './harness.js';
import type { ToolDefinition } from '../../src/agent/tool.js';

const schema = {
  type: 'object',
  properties: { label: { enum: ['bug', 'feature'] }, summary: { type: 'string', maxLength: 40 } },
  required: ['label', 'summary'],
  additionalProperties: false,
};

const lookups: unknown[] = [];
const lookup: ToolDefinition<{ id: number }> = {
  name: 'lookup_issue',
  description: 'Reads an issue by id',
  inputSchema: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
  handler: async (input) => {
    lookups.push(input);
    return { id: input.id, title: 'Crash on save' };
  },
};

function definition(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    inputs: { type: 'object', properties: { id: { type: 'integer' } } },
    steps: [{ id: 'triage', action: 'agent', with: { prompt: 'Triage issue {{ inputs.id }}', tools: ['lookup_issue'], output_schema: schema, ...extra } }],
  };
}

forEachDialect('agent: tools, output schema, repair', (db) => {
  let llm: StandIn;
  before(async () => (llm = await startStandIn()));
  after(() => llm.close());

  test('a tool call, then a valid answer: output is the JSON, ledger and totals add up', async () => {
    const node = await makeAgentNode(db, llm, { tools: [lookup] });
    const name = uniqueName('triage');
    await node.apply(definition(name));
    llm.script([
      { toolCalls: [{ name: 'lookup_issue', arguments: { id: 7 } }], usage: { input: 100, output: 10 } },
      { text: '{"label":"bug","summary":"Crash on save"}', usage: { input: 200, output: 20, cached: 50 } },
    ]);
    const before = llm.calls.length;
    const run = await node.runToEnd(name, { id: 7 });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.deepEqual(run.output, { label: 'bug', summary: 'Crash on save' });
    assert.equal(llm.calls.length - before, 2);
    // the second request carries the tool result back to the model
    const second = llm.calls.at(-1)!;
    assert.ok(JSON.stringify(second.messages).includes('Crash on save'));
    assert.deepEqual(second.tools, ['lookup_issue']);
    assert.deepEqual(lookups.at(-1), { id: 7 });
    const cost = (100 * PRICE.input + 10 * PRICE.output + 150 * PRICE.input + 50 * PRICE.cached + 20 * PRICE.output) / 1e6;
    assert.ok(Math.abs(run.cost_usd - cost) < 1e-9, `${run.cost_usd} vs ${cost}`);
    assert.equal(run.tokens, 330);
    assert.ok(Math.abs(stepOf(run, 'triage').cost_usd - cost) < 1e-9);
    const conversation = await node.rota.agent!.conversation(node.ws, run.id, 'triage');
    assert.deepEqual(conversation.calls.map((c) => [c.kind, c.name, c.status]), [
      ['model', 'fake:test-model', 'ok'],
      ['tool', 'lookup_issue', 'ok'],
      ['model', 'fake:test-model', 'ok'],
    ]);
    assert.equal(conversation.artifacts.length, 1);
    assert.equal(conversation.artifacts[0]!.valid, true);
    const events = await node.events(run.id);
    assert.deepEqual(events.filter((e) => e.type.startsWith('agent.') || e.type.startsWith('artifact.')).map((e) => e.type), ['agent.model_call', 'agent.tool_call', 'agent.model_call', 'artifact.validated']);
  });

  test('invalid, then valid after one repair turn that names the errors', async () => {
    const node = await makeAgentNode(db, llm, { tools: [lookup] });
    const name = uniqueName('repair');
    await node.apply(definition(name));
    llm.script([{ text: '{"label":"question","summary":"x"}' }, { text: '```json\n{"label":"feature","summary":"ok"}\n```' }]);
    const run = await node.runToEnd(name, { id: 1 });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.deepEqual(run.output, { label: 'feature', summary: 'ok' });
    const repair = llm.calls.at(-1)!;
    const lastUser = JSON.stringify(repair.messages.at(-1));
    assert.match(lastUser, /\$\.label/);
    assert.match(lastUser, /must be one of/);
    const report = await node.rota.runs.report(node.ws, run.id);
    assert.deepEqual(report.artifacts.map((a) => [a.kind, a.valid]), [['answer', false], ['repair', true]]);
    assert.match(report.markdown, /## Artifacts/);
    assert.equal(report.artifacts[0]!.sha256.length, 64);
  });

  test('invalid twice: artifact_invalid_after_repair, both attempts kept, never a placeholder', async () => {
    const node = await makeAgentNode(db, llm, { tools: [lookup] });
    const name = uniqueName('twice');
    await node.apply(definition(name));
    llm.script([{ text: '{"label":"nope"}' }, { text: '{"label":"bug","summary":"' + 'x'.repeat(60) + '"}' }]);
    const run = await node.runToEnd(name, { id: 1 });
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.code, 'artifact_invalid_after_repair');
    assert.equal(stepOf(run, 'triage').output, null);
    const report = await node.rota.runs.report(node.ws, run.id);
    assert.deepEqual(report.artifacts.map((a) => a.valid), [false, false]);
  });

  test('a non-JSON answer gets the repair turn too', async () => {
    const node = await makeAgentNode(db, llm, { tools: [lookup] });
    const name = uniqueName('nonjson');
    await node.apply(definition(name));
    llm.script([{ text: 'It is a bug, clearly.' }, { text: '{"label":"bug","summary":"clearly"}' }]);
    const run = await node.runToEnd(name, { id: 1 });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.match(JSON.stringify(llm.calls.at(-1)!.messages.at(-1)), /not valid JSON/);
  });

  test('anthropic protocol, streaming-free: same loop through @ai-sdk/anthropic', async () => {
    const node = await makeAgentNode(db, llm, { tools: [lookup], protocol: 'anthropic' });
    const name = uniqueName('anthropic');
    await node.apply(definition(name));
    llm.script([{ toolCalls: [{ name: 'lookup_issue', arguments: { id: 3 } }] }, { text: '{"label":"bug","summary":"s"}' }]);
    const run = await node.runToEnd(name, { id: 3 });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.equal(llm.calls.at(-1)!.protocol, 'anthropic');
    assert.match(llm.calls.at(-1)!.system ?? '', /JSON Schema/);
  });

  test('definition errors: unknown tool, approval for an unlisted tool, invalid output_schema', async () => {
    const node = await makeAgentNode(db, llm, { tools: [lookup] });
    await assert.rejects(
      node.apply({
        name: uniqueName('bad'),
        steps: [{ id: 'a', action: 'agent', with: { prompt: 'p', tools: ['nope', 'files.read'], require_approval_for: ['http_fetch'], output_schema: { type: 'objekt' } } }],
      }),
      (err: { details?: { path: string; message: string }[] }) => {
        const paths = (err.details ?? []).map((d) => d.path);
        assert.ok(paths.includes('$.steps[0].with.tools[0]'), JSON.stringify(err.details));
        assert.ok(paths.includes('$.steps[0].with.tools[1]'), JSON.stringify(err.details));
        assert.ok(paths.includes('$.steps[0].with.require_approval_for[0]'), JSON.stringify(err.details));
        assert.ok(paths.some((p) => p.startsWith('$.steps[0].with.output_schema')), JSON.stringify(err.details));
        return true;
      },
    );
  });

  test('no provider for the model: the run fails clearly (the definition still applies)', async () => {
    const node = await makeAgentNode(db, llm, { config: { models: {} } });
    const name = uniqueName('noprov');
    await node.apply({ name, steps: [{ id: 'a', action: 'agent', with: { prompt: 'hi' } }] });
    const run = await node.runToEnd(name);
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.code, 'model_not_configured');
    assert.match(run.error!.message, /default/);
  });
});

forEachDialect('agent: conversation API', (db) => {
  let llm: StandIn;
  before(async () => (llm = await startStandIn()));
  after(() => llm.close());

  test('GET /runs/{id}/steps/{step}/conversation lists calls with tokens, cost and latency; 404 for another workspace', async () => {
    const { createApi } = await import('../../src/api/server.js');
    const node = await makeAgentNode(db, llm, { tools: [lookup] });
    const name = uniqueName('conv');
    await node.apply(definition(name));
    llm.script([{ toolCalls: [{ name: 'lookup_issue', arguments: { id: 2 } }] }, { text: '{"label":"bug","summary":"s"}' }]);
    const run = await node.runToEnd(name, { id: 2 });
    const { token } = await node.rota.tokens.create(node.ws, 'reader', ['runs:read']);
    const app = createApi(node.rota, { maxBodyBytes: 1 << 20, defaultWorkspace: 'default' });
    const res = await app.request(`/api/v1/runs/${run.id}/steps/triage/conversation`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { calls: { kind: string; input_tokens: number; latency_ms: number; cost_usd: number }[]; totals: { model_calls: number; tool_calls: number; cost_usd: number }; artifacts: { valid: boolean; content: string }[] };
    assert.deepEqual(body.calls.map((c) => c.kind), ['model', 'tool', 'model']);
    assert.equal(body.totals.model_calls, 2);
    assert.equal(body.totals.tool_calls, 1);
    assert.ok(Math.abs(body.totals.cost_usd - run.cost_usd) < 1e-12);
    assert.equal(body.artifacts[0]!.content, '{"label":"bug","summary":"s"}');
    const costs = await app.request(`/api/v1/automations/${name}/costs?days=2`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(costs.status, 200);
    const totals = (await costs.json()) as { cost_usd: number; tokens: number; model_calls: number; days: unknown[] };
    assert.ok(Math.abs(totals.cost_usd - run.cost_usd) < 1e-12);
    assert.equal(totals.tokens, run.tokens);
    assert.equal(totals.model_calls, 2);
    assert.equal(totals.days.length, 1);
    const other = await node.rota.workspaces.ensure(`other-${name}`);
    const { token: otherToken } = await node.rota.tokens.create(other.id, 'reader', ['runs:read']);
    const hidden = await app.request(`/api/v1/runs/${run.id}/steps/triage/conversation`, { headers: { authorization: `Bearer ${otherToken}` } });
    assert.equal(hidden.status, 404);
  });
});
