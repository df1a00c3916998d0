/** Triggers of an automation: cursors and counters, a preview of the next fire times, enable/disable. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { RotaService } from '../../node/service.js';
import { Scope } from '../../states.js';
import type { ApiEnv } from '../api-env.js';
import { requireScope } from '../auth.js';
import { NameParam, errorResponse, errorResponses, jsonContent } from '../schemas.js';

const read = requireScope(Scope.automations_read);
const write = requireScope(Scope.automations_write);
const tags = ['triggers'];

const TriggerDetailSchema = z
  .object({
    id: z.string(),
    type: z.string(),
    enabled: z.boolean(),
    next_fire_at: z.string().nullable(),
    last_fire_at: z.string().nullable(),
    last_fire_id: z.string().nullable(),
    schedule_hash: z.string().nullable(),
    misfire_count: z.number().int(),
    last_misfire_at: z.string().nullable(),
    schedule: z
      .object({
        cron: z.string().optional(),
        every: z.string().optional(),
        anchor: z.string().optional(),
        at: z.string().optional(),
        timezone: z.string(),
        jitter: z.string().optional(),
        catch_up: z.string(),
        max_catch_up: z.number().int(),
        misfire_grace_ms: z.number().int(),
      })
      .optional(),
    endpoint_id: z.string().nullable().optional(),
  })
  .openapi('TriggerDetail');

const SchedulePreviewSchema = z
  .object({ trigger_id: z.string(), enabled: z.boolean(), timezone: z.string(), next: z.array(z.string()) })
  .openapi('SchedulePreview');

const TriggerParam = NameParam.extend({
  id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' }, example: 'nightly' }),
});

const listTriggers = createRoute({
  method: 'get',
  path: '/automations/{name}/triggers',
  tags,
  summary: "An automation's triggers with their cursors and counters",
  middleware: [read],
  request: { params: NameParam },
  responses: { 200: jsonContent(z.object({ items: z.array(TriggerDetailSchema) }), 'Triggers'), ...errorResponses },
});

const previewSchedule = createRoute({
  method: 'get',
  path: '/automations/{name}/schedule',
  tags,
  summary: 'The next fire times of each schedule trigger',
  middleware: [read],
  request: {
    params: NameParam,
    query: z.object({ count: z.coerce.number().int().min(1).max(1000).optional().openapi({ type: 'integer', description: 'fire times per trigger (default 5, at most 1000)' }) }),
  },
  responses: { 200: jsonContent(z.object({ items: z.array(SchedulePreviewSchema) }), 'One preview per schedule trigger'), ...errorResponses },
});

function toggleRoute(action: 'enable' | 'disable') {
  return createRoute({
    method: 'post',
    path: `/automations/{name}/triggers/{id}/${action}`,
    tags,
    summary: action === 'enable' ? 'Enable a trigger (a schedule starts from its next slot)' : 'Disable a trigger',
    middleware: [write],
    request: { params: TriggerParam },
    responses: { 200: jsonContent(TriggerDetailSchema, 'The trigger'), ...errorResponses, 409: errorResponse('A one-shot schedule whose time has passed') },
  });
}

export function scheduleRoutes(rota: RotaService): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(listTriggers, async (c) => c.json({ items: await rota.triggers.list(c.var.workspaceId, c.req.valid('param').name) }, 200));
  app.openapi(previewSchedule, async (c) => {
    const items = await rota.triggers.preview(c.var.workspaceId, c.req.valid('param').name, c.req.valid('query').count ?? 5);
    return c.json({ items }, 200);
  });
  for (const action of ['enable', 'disable'] as const) {
    app.openapi(toggleRoute(action), async (c) => {
      const { name, id } = c.req.valid('param');
      return c.json(await rota.triggers.setEnabled(c.var.workspaceId, name, id, action === 'enable'), 200);
    });
  }
  return app;
}
