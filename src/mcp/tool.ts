/**
 * What one MCP tool is: its name, the scope a token needs to see it, the zod shapes of its
 * arguments and structured result, and a handler that talks to Rota only through the typed client.
 * The same definitions serve `rota mcp` (stdio) and `/mcp` (streamable HTTP).
 */
import type { z } from 'zod';
import type { RotaClient } from '../client/index.js';
import { Scope } from '../states.js';

export interface ToolAnswer<O> {
  /** the structured result (`structuredContent`), checked against the tool's output shape */
  structured: O;
  /** a short summary for clients that read text only */
  text: string;
}

export interface RotaTool<I extends z.ZodRawShape = z.ZodRawShape, O extends z.ZodRawShape = z.ZodRawShape> {
  name: string;
  title: string;
  description: string;
  /** the scope a token needs to see and call the tool (a list: every one of them); null: any valid token */
  scope: Scope | readonly Scope[] | null;
  /** false for tools that change nothing (MCP `readOnlyHint`) */
  writes: boolean;
  input: I;
  output: O;
  run(client: RotaClient, args: z.infer<z.ZodObject<I>>): Promise<ToolAnswer<z.infer<z.ZodObject<O>>>>;
}

/** Keeps the argument and result types of one tool checked against its shapes. */
export function defineTool<I extends z.ZodRawShape, O extends z.ZodRawShape>(tool: RotaTool<I, O>): RotaTool {
  return tool as unknown as RotaTool;
}

/** `admin` sees everything; every other token sees the tools whose scopes it holds. */
export function canUse(tool: Pick<RotaTool, 'scope'>, scopes: readonly string[]): boolean {
  if (tool.scope === null || scopes.includes(Scope.admin)) return true;
  const needed: readonly Scope[] = typeof tool.scope === 'string' ? [tool.scope] : tool.scope;
  return needed.every((scope) => scopes.includes(scope));
}
