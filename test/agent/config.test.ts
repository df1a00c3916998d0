/** Configuration of agent steps: providers, model aliases with prices, budgets, MCP servers. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveConfig } from '../../src/config/config.js';

function configFrom(yaml: string) {
  const dir = mkdtempSync(join(tmpdir(), 'rota-agent-config-'));
  writeFileSync(join(dir, 'rota.config.yaml'), yaml);
  return resolveConfig({ cwd: dir, env: {} });
}

test('agent config: names are kept as written, prices default cached to input, env/headers verbatim', () => {
  const config = configFrom(`
providers:
  open-ai: { kind: openai_compatible, base_url: https://api.openai.com/v1, api_key_env: OPENAI_API_KEY }
  claude_api: { kind: anthropic, api_key_env: ANTHROPIC_API_KEY }
models:
  default: { model: "open-ai:gpt-4o-mini", price: { input: 0.15, output: 0.6 } }
  fast_one: "claude_api:claude-haiku"
budgets:
  automation_per_day: { max_cost_usd: 5 }
mcp_servers:
  my-files: { transport: stdio, command: node, args: [server.js], env: { API_KEY: x } }
  search: { transport: http, url: "https://mcp.example.com/mcp", headers: { Authorization: "Bearer t" } }
`);
  assert.deepEqual(Object.keys(config.providers), ['open-ai', 'claude_api']);
  assert.deepEqual(config.models.default, { model: 'open-ai:gpt-4o-mini', price: { input: 0.15, output: 0.6, cached: 0.15 } });
  assert.deepEqual(config.models.fast_one, { model: 'claude_api:claude-haiku', price: null });
  assert.deepEqual(config.budgets, { automationPerDay: { maxCostUsd: 5 }, workspacePerDay: null });
  assert.deepEqual(config.mcpServers['my-files'], { transport: 'stdio', command: 'node', args: ['server.js'], env: { API_KEY: 'x' }, cwd: null });
  assert.deepEqual(config.mcpServers.search, { transport: 'http', url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer t' } });
});

const bad: Array<[string, RegExp]> = [
  ['providers: { p: { kind: openai } }', /providers\.p\.kind/],
  ['models: { default: "no-provider" }', /models\.default/],
  ['models: { default: { model: "p:m", price: { input: -1, output: 1 } } }', /models\.default/],
  ['mcp_servers: { s: { transport: ws, url: "http://x" } }', /mcp_servers\.s/],
  ['budgets: { per_minute: { max_cost_usd: 1 } }', /budgets\.per_minute/],
];
for (const [yaml, path] of bad) {
  test(`agent config error names its key: ${yaml}`, () => {
    assert.throws(() => configFrom(yaml), (err: { details?: { path: string }[] }) => {
      assert.ok((err.details ?? []).some((d) => path.test(d.path)), JSON.stringify(err.details));
      return true;
    });
  });
}
