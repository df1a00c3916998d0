/**
 * Tokens (admin scope). A global admin creates tokens in the acting workspace, in another one named
 * by `workspace` (created if missing), or admin tokens with `workspace: null`; a workspace-bound
 * admin only in its own workspace.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { AuthError, ErrorCode } from '../../errors.js';
import type { RotaService } from '../../node/service.js';
import { ALL_SCOPES, Scope } from '../../states.js';
import type { Principal } from '../../node/views.js';
import { NAME_PATTERN } from '../../definition/schema.js';
import type { ApiEnv } from '../api-env.js';
import { isGlobalAdmin, requireScope } from '../auth.js';
import { jsonBody } from '../body.js';
import { TokenViewSchema, errorResponses, jsonContent } from '../schemas.js';

const tags = ['tokens'];
const admin = requireScope(Scope.admin);

const createToken = createRoute({
  method: 'post',
  path: '/tokens',
  tags,
  summary: 'Create a token; the secret is in this response only',
  middleware: [admin, jsonBody],
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({
            name: z.string().min(1).max(100),
            scopes: z.array(z.enum(ALL_SCOPES as [Scope, ...Scope[]])).min(1),
            workspace: z.string().regex(NAME_PATTERN, 'must be a workspace name').nullable().optional().openapi({
              description: 'workspace of the token (default: the acting one); null makes an admin token (admins only)',
            }),
          }),
        },
      },
    },
  },
  responses: {
    201: jsonContent(TokenViewSchema.extend({ token: z.string().openapi({ example: 'rota_...' }) }), 'Created'),
    ...errorResponses,
  },
});

const listTokens = createRoute({
  method: 'get',
  path: '/tokens',
  tags,
  summary: 'List tokens (never their secrets)',
  middleware: [admin],
  responses: { 200: jsonContent(z.object({ items: z.array(TokenViewSchema) }), 'Tokens'), ...errorResponses },
});

const revokeToken = createRoute({
  method: 'delete',
  path: '/tokens/{id}',
  tags,
  summary: 'Revoke a token',
  middleware: [admin],
  request: { params: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/).openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: { 204: { description: 'Revoked' }, ...errorResponses },
});

const WhoamiSchema = z
  .object({
    token_id: z.string(),
    scopes: z.array(z.string()),
    workspace: z.object({ id: z.string(), name: z.string() }).openapi({ description: 'the workspace this request acts in' }),
    bound: z.boolean().openapi({ description: 'true when the token belongs to that workspace; false for an admin token without a workspace' }),
  })
  .openapi('Whoami');

const whoami = createRoute({
  method: 'get',
  path: '/whoami',
  tags,
  summary: "The calling token: its id, scopes and the workspace it acts in (any valid token)",
  responses: { 200: jsonContent(WhoamiSchema, 'The token'), ...errorResponses },
});

async function targetWorkspace(rota: RotaService, principal: Principal, acting: string, requested: string | null | undefined): Promise<string | null> {
  if (isGlobalAdmin(principal)) {
    if (requested === undefined) return acting;
    return requested === null ? null : (await rota.workspaces.ensure(requested)).id;
  }
  const own = principal.workspace_id as string;
  if (requested === undefined) return own;
  const ownWorkspace = await rota.workspaces.get(own);
  if (requested !== null && ownWorkspace?.name === requested) return own;
  throw new AuthError(ErrorCode.forbidden, 'a workspace token can only create tokens of its own workspace');
}

/** Scope of list and revoke: everything for a global admin, the own workspace otherwise. */
function tokenScope(principal: Principal): string | null {
  return isGlobalAdmin(principal) ? null : principal.workspace_id;
}

export function tokenRoutes(rota: RotaService): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(createToken, async (c) => {
    const { name, scopes, workspace } = c.req.valid('json');
    const ws = await targetWorkspace(rota, c.var.principal, c.var.workspaceId, workspace);
    const { token, info } = await rota.tokens.create(ws, name, scopes);
    return c.json({ token, ...info }, 201);
  });
  app.openapi(whoami, async (c) => {
    const { principal, workspaceId } = c.var;
    const workspace = await rota.workspaces.get(workspaceId);
    return c.json({
      token_id: principal.token_id,
      scopes: [...principal.scopes],
      workspace: { id: workspaceId, name: workspace?.name ?? workspaceId },
      bound: principal.workspace_id !== null,
    }, 200);
  });
  app.openapi(listTokens, async (c) => c.json({ items: await rota.tokens.list(tokenScope(c.var.principal)) }, 200));
  app.openapi(revokeToken, async (c) => {
    await rota.tokens.revoke(tokenScope(c.var.principal), c.req.valid('param').id);
    return c.body(null, 204);
  });
  return app;
}
