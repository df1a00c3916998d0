/**
 * Agent tests: a node (support/node.ts, SQLite and PostgreSQL) whose providers point at the LLM
 * stand-in, with optional code-registered tools.
 */
import type { RotaConfig } from '../../src/config/types.js';
import type { ToolDefinition } from '../../src/agent/tool.js';
import { makeNode, type TestDatabase, type TestNode } from '../support/node.js';
import type { StandIn } from '../support/llm-stand-in.js';

export const PRICE = { input: 1, output: 2, cached: 0.5 };

export interface AgentNodeOptions {
  tools?: ToolDefinition[];
  config?: Partial<Omit<RotaConfig, 'worker'>>;
  protocol?: 'openai' | 'anthropic';
}

export function makeAgentNode(db: TestDatabase, llm: StandIn, options: AgentNodeOptions = {}): Promise<TestNode> {
  const kind = options.protocol === 'anthropic' ? 'anthropic' : 'openai_compatible';
  const config: Partial<Omit<RotaConfig, 'worker'>> = {
    providers: {
      fake: { kind, baseUrl: options.protocol === 'anthropic' ? llm.anthropicBaseUrl : llm.openaiBaseUrl, apiKeyEnv: null, headers: {} },
    },
    models: { default: { model: 'fake:test-model', price: PRICE } },
    http: { allowlist: ['127.0.0.1'], maxResponseBytes: 1 << 20, defaultTimeoutMs: 5_000 },
    ...options.config,
  };
  return makeNode(db, { config, tools: options.tools });
}
