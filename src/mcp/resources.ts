/** Resources: the definition JSON Schema, and the catalog of actions and agent tools of the server. */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RotaClient } from '../client/index.js';
import { definitionJsonSchema } from '../definition/json-schema.js';

export const SCHEMA_URI = 'rota://schema/definition';
export const ACTIONS_URI = 'rota://catalog/actions';
export const TOOLS_URI = 'rota://catalog/tools';

const json = (uri: URL, value: unknown) => ({ contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(value, null, 2) }] });

export function registerResources(server: McpServer, client: RotaClient): void {
  server.registerResource(
    'definition-schema',
    SCHEMA_URI,
    { title: 'Automation definition JSON Schema', description: "JSON Schema (2020-12) of an automation definition, what apply_automation and validate_automation take, with each of the server's actions' `with:` rules", mimeType: 'application/json' },
    // the server's own actions (built-ins and those registered in code) give each step's `with:` its rules
    async (uri) => json(uri, definitionJsonSchema(await client.catalog.actions())),
  );
  server.registerResource(
    'actions',
    ACTIONS_URI,
    { title: 'Actions catalog', description: 'The actions steps may use, with the JSON Schemas of their config and output', mimeType: 'application/json' },
    async (uri) => json(uri, await client.catalog.actions()),
  );
  server.registerResource(
    'agent-tools',
    TOOLS_URI,
    { title: 'Agent tools catalog', description: "Tools agent steps may list in `tools:` (built-ins and those registered in code; MCP servers' tools are not listed)", mimeType: 'application/json' },
    async (uri) => json(uri, await client.catalog.tools()),
  );
}
