/**
 * Agent tests: an engine node (harness.ts, SQLite and PostgreSQL) whose providers point at the
 * LLM stand-in, with optional code-registered tools.
 */
import { randomBytes } from 'node:crypto';
import type { RotaConfig } from '../../src/config/types.js';
import { createRota } from '../../src/node/rota.js';
import type { ToolDefinition } from '../../src/agent/tool.js';
import { Recorder, testActions } from '../engine/actions.js';
import { TestNode, type TestDatabase } from '../engine/harness.js';
import type { StandIn } from '../support/llm-stand-in.js';

export const PRICE = { input: 1, output: 2, cached: 0.5 };

export interface AgentNodeOptions {
  tools?: ToolDefinition[];
  config?: Partial<RotaConfig>;
  protocol?: 'openai' | 'anthropic';
}

export async function makeAgentNode(db: TestDatabase, llm: StandIn, options: AgentNodeOptions = {}): Promise<TestNode> {
  const recorder = new Recorder();
  const kind = options.protocol === 'anthropic' ? 'anthropic' : 'openai_compatible';
  const config: Partial<RotaConfig> = {
    nodeId: `node-${randomBytes(3).toString('hex')}`,
    dataDir: db.dataDir,
    databaseUrl: db.databaseUrl,
    logLevel: 'silent',
    providers: {
      fake: { kind, baseUrl: options.protocol === 'anthropic' ? llm.anthropicBaseUrl : llm.openaiBaseUrl, apiKeyEnv: null, headers: {} },
    },
    models: { default: { model: 'fake:test-model', price: PRICE } },
    http: { allowlist: ['127.0.0.1'], maxResponseBytes: 1 << 20, defaultTimeoutMs: 5_000 },
    ...options.config,
    worker: { concurrency: 10, leaseMs: 10_000, pollMs: 50, shutdownGraceMs: 0, enabled: true },
  };
  const rota = await createRota({ config, actions: testActions(recorder), tools: options.tools, store: db.sharedStore ?? undefined });
  await rota.bootstrap();
  const ws = await rota.workspaces.ensure(rota.config.defaultWorkspace);
  const node = new TestNode(rota, ws.id, recorder, db);
  db.nodes.add(node);
  await rota.start();
  return node;
}
