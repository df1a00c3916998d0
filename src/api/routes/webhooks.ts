/** Webhook triggers: the delivery log and secret rotation (bearer-authenticated, under /api/v1). */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { RotaService } from '../../node/service.js';
import { DeliveryOutcome, Scope } from '../../states.js';
import type { ApiEnv } from '../api-env.js';
import { requireScope } from '../auth.js';
import { jsonBody } from '../body.js';
import { Cursor, Limit, NameParam, errorResponse, errorResponses, jsonContent } from '../schemas.js';

const tags = ['webhooks'];

const TriggerParams = NameParam.extend({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a trigger id')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'github' }),
});

const DeliverySchema = z
  .object({
    id: z.string(),
    delivery_id: z.string().nullable(),
    outcome: z.enum(DeliveryOutcome),
    reason: z.string().nullable().openapi({ description: 'why (filter, trigger_disabled, invalid_json, skipped, an error code)' }),
    status_code: z.number().int(),
    run_ids: z.array(z.string()),
    received_at: z.string(),
  })
  .openapi('WebhookDelivery');

const DeliveryPageSchema = z.object({
  items: z.array(DeliverySchema),
  next_cursor: z.string().nullable(),
  unauthenticated: z
    .object({ count: z.number().int(), last_at: z.string().nullable(), last_reason: z.string().nullable() })
    .openapi({ description: 'requests that failed verification: counted, not logged one by one' }),
});

const listDeliveries = createRoute({
  method: 'get',
  path: '/automations/{name}/triggers/{id}/deliveries',
  tags,
  summary: "A webhook trigger's recent deliveries (the last 200), newest first",
  middleware: [requireScope(Scope.automations_read)],
  request: { params: TriggerParams, query: z.object({ cursor: Cursor, limit: Limit(200) }) },
  responses: { 200: jsonContent(DeliveryPageSchema, 'Deliveries'), ...errorResponses, 409: errorResponse('Not a webhook trigger') },
});

const rotateSecret = createRoute({
  method: 'post',
  path: '/automations/{name}/triggers/{id}/secret',
  tags,
  summary: "Rotate a webhook trigger's stored secret; the previous one stays valid for `grace`",
  middleware: [requireScope(Scope.automations_write), jsonBody],
  request: {
    params: TriggerParams,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({
            secret: z.string().min(1).max(1000).openapi({ description: 'the new secret (write-only; never returned)' }),
            grace: z.string().max(20).optional().openapi({ description: 'how long the previous secret keeps verifying, e.g. 1h (default 0)', example: '1h' }),
          }),
        },
      },
    },
  },
  responses: {
    200: jsonContent(z.object({ rotated: z.literal(true), previous_valid_until: z.string().nullable() }), 'Rotated'),
    ...errorResponses,
    409: errorResponse('The trigger has no stored secret (an env reference, or scheme none)'),
  },
});

export function webhookRoutes(rota: RotaService): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(listDeliveries, async (c) => {
    const { name, id } = c.req.valid('param');
    const { cursor, limit } = c.req.valid('query');
    return c.json(await rota.webhooks.deliveries(c.var.workspaceId, name, id, { cursor: cursor ?? null, limit }), 200);
  });
  app.openapi(rotateSecret, async (c) => {
    const { name, id } = c.req.valid('param');
    return c.json(await rota.webhooks.rotateSecret(c.var.workspaceId, name, id, c.req.valid('json')), 200);
  });
  return app;
}
