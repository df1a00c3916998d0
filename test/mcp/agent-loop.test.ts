/**
 * The authoring loop with a model in it: an agent step on one node, its model the scripted LLM
 * stand-in (the provider wire protocol, reached through the AI SDK) and its tools Rota's own
 * `/mcp` on another node (Rota's MCP client over streamable HTTP), or the `rota mcp` binary
 * talking to that node (stdio). The script decides each turn
 * from the tool result the model was sent: it drafts a definition with a mistake, reads
 * validate_automation's errors, fixes the reported path, applies, starts a run, finds the
 * pending approval, approves it, waits and reads the report.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { forEachDialect, uniqueName } from '../support/node.js';
import { startStandIn, type Reply as LlmReply, type StandInRequest as LlmRequest, type StandIn } from '../support/llm-stand-in.js';
import { makeAgentNode } from '../agent/harness.js';
import { startTestServer, type TestServer } from '../api/harness.js';
import { BIN } from '../cli/serve.js';
import type { McpServerConfig } from '../../src/config/types.js';

/** A tool result as the model received it, parsed however deep it was encoded. */
function lastToolResult(req: LlmRequest): unknown {
  const tool = [...req.messages].reverse().find((m) => m.role === 'tool');
  let value: unknown = tool?.content;
  if (Array.isArray(value)) value = value.map((p: { text?: string }) => p.text ?? '').join('');
  for (let i = 0; i < 3 && typeof value === 'string'; i++) {
    try {
      value = JSON.parse(value);
    } catch {
      break;
    }
  }
  return value;
}

function lastToolCalled(req: LlmRequest): string | undefined {
  const assistant = [...req.messages].reverse().find((m) => m.role === 'assistant' && m.tool_calls?.length);
  return assistant?.tool_calls[0].function.name;
}

forEachDialect('MCP: an agent step drives Rota through /mcp', (db) => {
  let llm: StandIn;
  let server: TestServer;
  before(async () => {
    llm = await startStandIn();
    server = await startTestServer({ dialect: db.dialect });
  });
  after(async () => {
    await server?.close();
    await llm?.close();
  });

  for (const transport of ['http', 'stdio'] as const) test(`over ${transport}: drafts with a mistake, fixes it from the validation error, applies, runs, approves, reads the report`, async () => {
    // http: the served node's /mcp; stdio: the built `rota mcp` binary talking to that node
    const rota: McpServerConfig =
      transport === 'http'
        ? { transport, url: `${server.url}/mcp`, headers: { Authorization: `Bearer ${server.adminToken}` } }
        : { transport, command: process.execPath, args: [BIN, 'mcp'], env: { ROTA_URL: server.url, ROTA_TOKEN: server.adminToken }, cwd: null };
    const node = await makeAgentNode(db, llm, { config: { mcpServers: { rota } } });
    const target = uniqueName('authored');
    const draft = {
      name: target,
      steps: [
        { id: 'ask', action: 'approval', with: { message: 'Ship the greeting?' } },
        { id: 'hi', action: 'sett', with: { greeting: 'hello' }, needs: ['ask'] },
      ],
    };
    const seenPaths: string[] = [];
    let runId = '';
    const call = (name: string, args: unknown): LlmReply => ({ toolCalls: [{ name: `rota__${name}`, arguments: args }] });
    llm.script((req) => {
      const result = lastToolResult(req) as any;
      switch (lastToolCalled(req)) {
        case undefined:
          return call('validate_automation', { definition: draft });
        case 'rota__validate_automation': {
          if (result.valid === true) return call('apply_automation', { definition: draft });
          for (const e of result.errors as { path: string; message: string }[]) {
            seenPaths.push(e.path);
            // the one fix this model knows: an unknown action at $.steps[i].action becomes `set`
            const m = /^\$\.steps\[(\d+)\]\.action$/.exec(e.path);
            if (m) draft.steps[Number(m[1])]!.action = 'set';
          }
          return call('validate_automation', { definition: draft });
        }
        case 'rota__apply_automation':
          return call('start_run', { automation: target, inputs: {}, wait_seconds: 5 });
        case 'rota__start_run':
          runId = result.run_id;
          return call('list_approvals', { run_id: runId });
        case 'rota__list_approvals':
          return call('decide_approval', { approval_id: result.approvals[0].approval_id, decision: 'approve', comment: 'looks right' });
        case 'rota__decide_approval':
          return call('wait_for_run', { run_id: runId, wait_seconds: 10 });
        case 'rota__wait_for_run':
          return call('get_run_report', { run_id: runId });
        default:
          return { text: JSON.stringify({ run: runId, report_mentions_success: JSON.stringify(result).includes('succeeded') }) };
      }
    });
    const author = uniqueName('author');
    await node.apply({ name: author, steps: [{ id: 'agent', action: 'agent', with: { prompt: `Author the automation ${target}, run it and approve its approval.`, tools: ['rota.*'], max_turns: 20 } }] });
    const run = await node.runToEnd(author, {}, 60_000);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.deepEqual(seenPaths, ['$.steps[1].action'], 'the mistake was reported at its path');
    const final = JSON.parse(String((run.output as { text?: string } | null)?.text ?? JSON.stringify(run.output)));
    assert.deepEqual(final, { run: runId, report_mentions_success: true });

    // on the served node: the automation exists as fixed, its run succeeded after the approval
    const ws = (await server.rota.workspaces.ensure('default')).id;
    const authored = await server.rota.runs.get(ws, runId);
    assert.equal(authored.status, 'succeeded');
    assert.equal((await server.rota.automations.get(ws, target)).name, target);
    const conversation = await node.rota.agent!.conversation(node.ws, run.id, 'agent');
    assert.deepEqual(
      conversation.calls.filter((c) => c.kind === 'tool').map((c) => c.name),
      ['rota.validate_automation', 'rota.validate_automation', 'rota.apply_automation', 'rota.start_run', 'rota.list_approvals', 'rota.decide_approval', 'rota.wait_for_run', 'rota.get_run_report'],
    );
  });
});
