import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { BIN, cleanEnv, startServe, type Served } from '../cli/serve.js';
import { agentLoop, everyTool } from './scenario.js';
import { ALL_TOOL_NAMES, call, connectStdio, ok, type StdioMcp } from './harness.js';

/** `rota mcp` (the built binary, stdio) against a real `rota serve`, driven by the official SDK client. */
describe('mcp over stdio: rota mcp against rota serve', () => {
  let served: Served;
  let admin: StdioMcp;
  let reader: StdioMcp;

  before(async () => {
    served = await startServe();
    admin = await connectStdio(served.url, served.adminToken!);
    const { structured } = await call(admin.client, 'list_actions');
    assert.ok(structured.actions.length > 0);
    const res = await fetch(`${served.url}/api/v1/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${served.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'automation-reader', scopes: ['automations:read'] }),
    });
    assert.equal(res.status, 201);
    reader = await connectStdio(served.url, ((await res.json()) as { token: string }).token);
  });
  after(async () => {
    await admin?.client.close();
    await reader?.client.close();
    await served?.stop();
  });

  test('lists every tool for an admin token', async () => {
    const { tools } = await admin.client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), ALL_TOOL_NAMES);
  });

  test('every tool answers with structured content', () => everyTool(admin.client, 'stdio'));

  test('the scripted agent authors, fixes, applies, runs, approves and reads the report', async () => {
    await agentLoop(admin.client, 'agent-stdio');
  });

  test('an automations:read token sees only the automation read tools; a write tool is refused', async () => {
    const names = (await reader.client.listTools()).tools.map((t) => t.name).sort();
    assert.deepEqual(names, ['get_automation', 'list_actions', 'list_automations', 'preview_schedule', 'validate_automation']);
    const refused = await call(reader.client, 'apply_automation', { definition: { name: 'x', steps: [{ id: 'a', action: 'set', with: {} }] } }).catch((err: Error) => ({
      isError: true,
      text: err.message,
      structured: undefined,
    }));
    assert.equal(refused.isError, true);
    assert.match(refused.text, /apply_automation/);
    assert.equal((await ok(reader.client, 'list_automations')).automations.length >= 1, true);
  });

  test('a bad token: rota mcp says why on stderr and exits non-zero, writing nothing to stdout', async () => {
    const child = spawn(process.execPath, [BIN, 'mcp'], { env: cleanEnv({ ROTA_URL: served.url, ROTA_TOKEN: 'rota_not_a_real_token' }), stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    assert.equal(code, 3, err);
    assert.equal(out, '');
    assert.match(err, /unknown or revoked token/);
  });
});
