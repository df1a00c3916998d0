/** Resolves a step's `tools:` list into what the loop offers the model and how each one runs. */
import { validateValue } from '../definition/json-schema.js';
import { ErrorCode, NonRetriableError } from '../errors.js';
import type { AgentRuntime } from './agent-runtime.js';
import type { ModelTool } from './model-call.js';
import { modelToolName, splitMcpName, type ToolContext } from './tool.js';

export interface LoopTool extends ModelTool {
  /** as written in `tools:` (`http_fetch`, `files.read_file`) */
  name: string;
  invoke(args: Record<string, unknown>, ctx: ToolContext): Promise<unknown>;
}

export async function resolveTools(runtime: AgentRuntime, names: string[], signal: AbortSignal): Promise<LoopTool[]> {
  const out: LoopTool[] = [];
  for (const name of names) {
    const mcp = splitMcpName(name);
    if (!mcp) {
      const def = runtime.tools.get(name);
      if (!def) throw new NonRetriableError(`tool "${name}" is not registered on this node`, { code: ErrorCode.tool_failed });
      out.push({
        name,
        modelName: modelToolName(name),
        description: def.description,
        inputSchema: def.inputSchema as Record<string, unknown>,
        invoke: async (args, ctx) => {
          const value = await def.handler(args, ctx);
          if (def.outputSchema !== undefined) {
            const check = validateValue(def.outputSchema, value);
            if (!check.ok) throw new NonRetriableError(`tool "${name}" returned a value that does not match its output schema`, { code: ErrorCode.output_invalid, details: check.errors.slice(0, 5) });
          }
          return value;
        },
      });
      continue;
    }
    const [server, toolName] = mcp;
    const listed = await runtime.mcp.listTools(server, signal);
    const wanted = toolName === '*' ? listed : listed.filter((t) => t.name === toolName);
    if (wanted.length === 0) throw new NonRetriableError(`MCP server "${server}" has no tool "${toolName}"`, { code: ErrorCode.tool_failed });
    for (const t of wanted) {
      const full = `${server}.${t.name}`;
      out.push({
        name: full,
        modelName: modelToolName(full),
        description: t.description,
        inputSchema: t.inputSchema,
        invoke: async (args, ctx) => {
          const result = await runtime.mcp.callTool(server, t.name, args, ctx.signal);
          return result.isError ? { error: result.content } : result.content;
        },
      });
    }
  }
  return out;
}
