/**
 * Workspaces (admin scope). A global admin lists and creates them; a workspace-bound admin sees only
 * its own and creates none.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { AuthError, ErrorCode } from '../../errors.js';
import type { RotaService } from '../../node/service.js';
import { Scope } from '../../states.js';
import type { ApiEnv } from '../api-env.js';
import { isGlobalAdmin, requireScope } from '../auth.js';
import { jsonBody } from '../body.js';
import { errorResponses, jsonContent } from '../schemas.js';

const tags = ['workspaces'];
const admin = requireScope(Scope.admin);

const WorkspaceSchema = z.object({ id: z.string(), name: z.string() }).openapi('Workspace');

const listWorkspaces = createRoute({
  method: 'get',
  path: '/workspaces',
  tags,
  summary: 'List workspaces (a workspace-bound admin sees its own)',
  middleware: [admin],
  responses: { 200: jsonContent(z.object({ items: z.array(WorkspaceSchema) }), 'Workspaces'), ...errorResponses },
});

const createWorkspace = createRoute({
  method: 'post',
  path: '/workspaces',
  tags,
  summary: 'Create a workspace (409 when the name exists)',
  middleware: [admin, jsonBody],
  request: {
    body: {
      required: true,
      // the name is checked by the service, whose error names the rule
      content: { 'application/json': { schema: z.strictObject({ name: z.string().max(200) }) } },
    },
  },
  responses: { 201: jsonContent(WorkspaceSchema, 'Created'), ...errorResponses },
});

export function workspaceRoutes(rota: RotaService): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(listWorkspaces, async (c) => {
    const all = await rota.workspaces.list();
    const principal = c.var.principal;
    return c.json({ items: isGlobalAdmin(principal) ? all : all.filter((w) => w.id === principal.workspace_id) }, 200);
  });
  app.openapi(createWorkspace, async (c) => {
    if (!isGlobalAdmin(c.var.principal)) throw new AuthError(ErrorCode.forbidden, 'only an admin token without a workspace can create workspaces');
    return c.json(await rota.workspaces.create(c.req.valid('json').name), 201);
  });
  return app;
}
