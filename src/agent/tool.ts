/**
 * Tools that `agent` steps may call: the built-ins, tools registered in code
 * (`createRota({ tools })`), and tools of configured MCP servers (named `server.tool`).
 */
import type { ActionRuntimeConfig, ActionServices, StepLogger } from '../actions/types.js';
import type { JsonSchema } from '../definition/types.js';
import { checkJsonSchema } from '../definition/json-schema.js';
import { ConflictError, ValidationError } from '../errors.js';

export interface ToolContext {
  signal: AbortSignal;
  /** `run_id:step_id:tool:<position>`: stable when a resumed step runs the same call again */
  idempotencyKey: string;
  run: { id: string; workspaceId: string; automation: string; version: number };
  step: { id: string };
  services: ActionServices;
  runtime: ActionRuntimeConfig;
  log: StepLogger;
}

/**
 * A tool registered in code.
 *
 * @example
 * const lookupCustomer: ToolDefinition<{ email: string }> = {
 *   name: 'lookup_customer',
 *   description: 'Finds a customer by e-mail and returns their plan and open tickets',
 *   inputSchema: { type: 'object', properties: { email: { type: 'string' } }, required: ['email'] },
 *   handler: async ({ email }, ctx) => crm.find(email, { signal: ctx.signal }),
 * };
 * const rota = await createRota({ tools: [lookupCustomer] });
 */
export interface ToolDefinition<Input = any, Output = unknown> {
  /** `[A-Za-z][A-Za-z0-9_-]{0,63}`; what steps list in `tools:` */
  name: string;
  description: string;
  /** JSON Schema of the arguments (type object); the model is given it, and arguments are checked against it */
  inputSchema: JsonSchema;
  /** JSON Schema of the result; checked after each call */
  outputSchema?: JsonSchema;
  handler(input: Input, ctx: ToolContext): Promise<Output>;
}

const TOOL_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** Tools known without connecting anywhere: built-ins and those registered in code. */
export class ToolRegistry {
  readonly #tools = new Map<string, ToolDefinition>();

  register(tool: ToolDefinition): void {
    if (!TOOL_NAME.test(tool.name)) throw new ValidationError(`tool name "${tool.name}" is invalid: use [A-Za-z][A-Za-z0-9_-]{0,63}`);
    if (this.#tools.has(tool.name)) throw new ConflictError(`tool "${tool.name}" is already registered`);
    const problems = [...checkJsonSchema(tool.inputSchema, '$.inputSchema'), ...(tool.outputSchema === undefined ? [] : checkJsonSchema(tool.outputSchema, '$.outputSchema'))];
    if (problems.length > 0) throw new ValidationError(`tool "${tool.name}" has an invalid schema`, problems);
    this.#tools.set(tool.name, tool);
  }

  get(name: string): ToolDefinition | undefined {
    return this.#tools.get(name);
  }

  names(): string[] {
    return [...this.#tools.keys()].sort();
  }
}

/** `server.tool` → [server, tool] for MCP tool references; null for plain names. */
export function splitMcpName(name: string): [string, string] | null {
  const dot = name.indexOf('.');
  return dot > 0 ? [name.slice(0, dot), name.slice(dot + 1)] : null;
}

/** The name a model sees: providers accept `[A-Za-z0-9_-]{1,64}`, so `server.tool` becomes `server__tool`. */
export function modelToolName(name: string): string {
  return name.replace(/\./g, '__').replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}
