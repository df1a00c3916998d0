/**
 * Workspace secrets for actions (`{{ secrets.NAME }}`). Values are write-only: no route returns
 * one. Setting and deleting need `automations:write` (a secret is part of what automations do),
 * listing names needs `automations:read`.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { RotaService } from '../../node/service.js';
import { MAX_SECRET_BYTES, SECRET_NAME_PATTERN } from '../../node/secrets-service.js';
import { Scope } from '../../states.js';
import type { ApiEnv } from '../api-env.js';
import { requireScope } from '../auth.js';
import { jsonBody } from '../body.js';
import { errorResponses, jsonContent } from '../schemas.js';

const tags = ['secrets'];

const SecretViewSchema = z
  .object({ name: z.string(), created_at: z.string(), updated_at: z.string(), last_used_at: z.string().nullable() })
  .openapi('Secret');

const SecretName = z.object({
  name: z
    .string()
    .regex(SECRET_NAME_PATTERN, 'a secret name is a letter or _ followed by up to 127 letters, digits or _')
    .openapi({ param: { name: 'name', in: 'path' }, example: 'API_TOKEN' }),
});

const putSecret = createRoute({
  method: 'put',
  path: '/secrets/{name}',
  tags,
  summary: 'Set a secret (write-only; the value is never returned)',
  middleware: [requireScope(Scope.automations_write), jsonBody],
  request: {
    params: SecretName,
    body: { required: true, content: { 'application/json': { schema: z.strictObject({ value: z.string().min(1).max(MAX_SECRET_BYTES) }) } } },
  },
  responses: { 200: jsonContent(SecretViewSchema, 'Replaced'), 201: jsonContent(SecretViewSchema, 'Created'), ...errorResponses },
});

const listSecrets = createRoute({
  method: 'get',
  path: '/secrets',
  tags,
  summary: "List the workspace's secrets (names and times, never values)",
  middleware: [requireScope(Scope.automations_read)],
  responses: { 200: jsonContent(z.object({ items: z.array(SecretViewSchema) }), 'Secrets'), ...errorResponses },
});

const deleteSecret = createRoute({
  method: 'delete',
  path: '/secrets/{name}',
  tags,
  summary: 'Delete a secret',
  middleware: [requireScope(Scope.automations_write)],
  request: { params: SecretName },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});

export function secretRoutes(rota: RotaService): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(putSecret, async (c) => {
    const { created, secret } = await rota.secrets.set(c.var.workspaceId, c.req.valid('param').name, c.req.valid('json').value);
    return c.json(secret, created ? 201 : 200);
  });
  app.openapi(listSecrets, async (c) => c.json({ items: await rota.secrets.list(c.var.workspaceId) }, 200));
  app.openapi(deleteSecret, async (c) => {
    await rota.secrets.remove(c.var.workspaceId, c.req.valid('param').name);
    return c.body(null, 204);
  });
  return app;
}
