/** The action catalog: what steps may use, with the JSON Schemas of their config and output. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { RotaService } from '../../node/service.js';
import type { ApiEnv } from '../api-env.js';
import { errorResponses, jsonContent } from '../schemas.js';

const ActionSchema = z
  .object({ type: z.string(), description: z.string(), config_schema: z.unknown(), output_schema: z.unknown() })
  .openapi('Action');

const listActions = createRoute({
  method: 'get',
  path: '/catalog/actions',
  tags: ['catalog'],
  summary: 'Actions available to steps (any valid token)',
  responses: { 200: jsonContent(z.object({ items: z.array(ActionSchema) }), 'Actions'), ...errorResponses },
});

const ToolSchema = z
  .object({ name: z.string(), description: z.string(), input_schema: z.unknown(), output_schema: z.unknown() })
  .openapi('AgentTool');

const listTools = createRoute({
  method: 'get',
  path: '/catalog/tools',
  tags: ['catalog'],
  summary: 'Tools agent steps may list in `tools:` (built-ins and tools registered in code; MCP servers\' tools are not listed) (any valid token)',
  responses: { 200: jsonContent(z.object({ items: z.array(ToolSchema) }), 'Tools'), ...errorResponses },
});

export function catalogRoutes(rota: RotaService): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(listActions, (c) => {
    const items = rota.catalog.actions().map((action) => ({
      type: action.type,
      description: action.description,
      config_schema: action.configSchema,
      output_schema: action.outputSchema ?? null,
    }));
    return c.json({ items }, 200);
  });
  app.openapi(listTools, (c) => c.json({ items: rota.catalog.tools() }, 200));
  return app;
}
