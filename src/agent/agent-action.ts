/**
 * The built-in `agent` action (SPEC §5). Built per node because it needs the node's providers,
 * tools and MCP servers; its `checkConfig` makes unknown tools and invalid output schemas
 * definition errors.
 */
import type { ActionDefinition } from '../actions/types.js';
import { checkJsonSchema } from '../definition/json-schema.js';
import { appendPath } from '../definition/json-path.js';
import { hasTemplate } from '../definition/template.js';
import type { ErrorDetail } from '../errors.js';
import { DEFAULT_MAX_TURNS, runAgentStep, type AgentConfig } from './agent-loop.js';
import type { AgentRuntime } from './agent-runtime.js';
import { splitMcpName } from './tool.js';
import { planConfigSchema } from '../definition/planning.js';

const budget = {
  type: 'object',
  properties: {
    max_cost_usd: { type: 'number', exclusiveMinimum: 0 },
    max_tokens: { type: 'integer', minimum: 1 },
    on_exceed: { enum: ['fail', 'approval'] },
  },
  additionalProperties: false,
};

/** JSON Schema of the agent step's `with:` (it does not depend on the node's providers or tools). */
export const agentConfigSchema = {
  type: 'object',
  properties: {
    model: { type: 'string', minLength: 1, description: 'a configured alias (default: "default") or provider:model' },
    system: { type: 'string' },
    prompt: { type: 'string', minLength: 1 },
    tools: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
    output_schema: { type: ['object', 'boolean'] },
    max_turns: { type: 'integer', minimum: 1, maximum: 200, default: DEFAULT_MAX_TURNS },
    temperature: { type: 'number', minimum: 0, maximum: 2 },
    max_tokens: { type: 'integer', minimum: 1, maximum: 1_000_000 },
    require_approval_for: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
    budget,
    plan: planConfigSchema,
  },
  required: ['prompt'],
  additionalProperties: false,
};

export const AGENT_DESCRIPTION =
  'Runs an LLM with a prompt and tools in a multi-turn loop (memoized: a resumed step never pays for a call twice), ' +
  'optionally validating the final answer against output_schema (one repair turn), within budgets and with tool approvals. ' +
  'With plan, its answer is a list of steps (restricted to plan.allow) that the run then executes.';

export function createAgentAction(runtime: AgentRuntime): ActionDefinition<AgentConfig> {
  return {
    type: 'agent',
    description: AGENT_DESCRIPTION,
    configSchema: agentConfigSchema,
    textFields: ['prompt', 'system'],
    checkConfig: (config, path) => checkAgentConfig(runtime, config, path),
    handler: (ctx) => runAgentStep(runtime, ctx) as Promise<unknown>,
  };
}

function checkAgentConfig(runtime: AgentRuntime, config: Record<string, unknown>, path: string): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  if (config.output_schema !== undefined && typeof config.output_schema === 'object' && config.output_schema !== null) {
    problems.push(...checkJsonSchema(config.output_schema, appendPath(path, 'output_schema')));
  }
  if (config.plan !== undefined && config.output_schema !== undefined) {
    problems.push({ path: appendPath(path, 'output_schema'), message: 'a planning step answers with its plan: output_schema cannot be set together with plan' });
  }
  const tools = Array.isArray(config.tools) ? config.tools.filter((t): t is string => typeof t === 'string') : [];
  tools.forEach((name, i) => {
    const problem = toolProblem(runtime, name);
    if (problem) problems.push({ path: appendPath(appendPath(path, 'tools'), i), message: problem });
  });
  const approvals = Array.isArray(config.require_approval_for) ? config.require_approval_for : [];
  approvals.forEach((name, i) => {
    if (typeof name !== 'string') return;
    const listed = tools.includes(name) || tools.some((t) => t.endsWith('.*') && name.startsWith(t.slice(0, -1)));
    if (!listed) problems.push({ path: appendPath(appendPath(path, 'require_approval_for'), i), message: `"${name}" is not one of this step's tools` });
  });
  return problems;
}

function toolProblem(runtime: AgentRuntime, name: string): string | null {
  if (hasTemplate(name)) return 'tool names cannot be templates';
  const mcp = splitMcpName(name);
  if (mcp) {
    return runtime.mcp.has(mcp[0]) ? null : `unknown MCP server "${mcp[0]}" (configured: ${runtime.mcp.names().join(', ') || 'none'}; see mcp_servers in rota.config.yaml)`;
  }
  return runtime.tools.get(name) ? null : `unknown tool "${name}" (known: ${runtime.tools.names().join(', ')}${runtime.mcp.names().length ? `, or server.tool of MCP servers ${runtime.mcp.names().join(', ')}` : ''})`;
}
