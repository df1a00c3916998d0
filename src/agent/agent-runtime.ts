/** What agent steps of one node share: model resolution, tools, MCP clients, the store. */
import type { RotaConfig } from '../config/types.js';
import type { Store } from '../store/connect.js';
import type { IdGenerator } from '../ids.js';
import { BUILTIN_TOOLS } from './builtin-tools.js';
import { McpConnections } from './mcp.js';
import { createModelResolver, type ModelResolver } from './providers.js';
import { ToolRegistry, type ToolDefinition } from './tool.js';
import { noopTelemetry, type Telemetry } from '../telemetry.js';

export interface AgentRuntime {
  store: Store;
  config: RotaConfig;
  ids: IdGenerator;
  models: ModelResolver;
  tools: ToolRegistry;
  mcp: McpConnections;
  /** model calls are reported here (calls, tokens, cost by provider and model) */
  telemetry: Telemetry;
}

export function createAgentRuntime(options: {
  store: Store;
  config: RotaConfig;
  ids: IdGenerator;
  tools?: ToolDefinition[];
  env?: NodeJS.ProcessEnv;
  telemetry?: Telemetry;
}): AgentRuntime {
  const tools = new ToolRegistry();
  for (const t of [...BUILTIN_TOOLS, ...(options.tools ?? [])]) tools.register(t);
  return {
    store: options.store,
    config: options.config,
    ids: options.ids,
    models: createModelResolver(options.config, options.env),
    tools,
    mcp: new McpConnections(options.config.mcpServers),
    telemetry: options.telemetry ?? noopTelemetry,
  };
}
