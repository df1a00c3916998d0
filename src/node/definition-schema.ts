/**
 * The definition JSON Schema for the built-in actions, the file the package ships as
 * `rota/schema.json` (scripts/write-schema.mjs writes it at build; a test keeps the committed copy
 * in sync). A node with custom actions gets theirs too from `definitionJsonSchema(registry.list())`.
 */
import { BUILTIN_ACTIONS } from '../actions/registry.js';
import { AGENT_DESCRIPTION, agentConfigSchema } from '../agent/agent-action.js';
import { definitionJsonSchema, type ActionSchemaSource } from '../definition/definition-json-schema.js';

/** The built-in action types with their `with:` schemas, the agent included (it is built per node). */
export function builtinActionSchemas(): ActionSchemaSource[] {
  return [...BUILTIN_ACTIONS, { type: 'agent', description: AGENT_DESCRIPTION, configSchema: agentConfigSchema }];
}

/** The JSON Schema of a definition using only built-in actions: `rota/schema.json`. */
export function builtinDefinitionJsonSchema(): Record<string, unknown> {
  return definitionJsonSchema(builtinActionSchemas());
}

/** The text of `schema.json`: the schema above, two-space indented, with a final newline. */
export function definitionSchemaFileText(): string {
  return `${JSON.stringify(builtinDefinitionJsonSchema(), null, 2)}\n`;
}
