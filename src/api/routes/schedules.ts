/** Triggers of an automation: cursors and counters, a preview of the next fire times, enable/disable. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { RotaService } from '../../node/service.js';
import { Scope } from '../../states.js';
import { ValidationError } from '../../errors.js';
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
    paused: z.boolean().openapi({ description: 'the automation is paused: nothing fires; next_fire_at is the next fire after a resume now' }),
    consecutive_failures: z.number().int().openapi({ description: 'consecutive fires that failed to start a run (invalid inputs, inputs mapping, fire errors); 0 after a good fire' }),
    last_failure: z.string().nullable().openapi({ description: '`code: message` of the last failed fire (kept after a good one)' }),
    last_failure_at: z.string().nullable(),
    secret_env_unset: z.string().nullable().optional().openapi({ description: 'webhook triggers: the {env: NAME} variable of the secret when it is unset on the node' }),
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
  .object({
    trigger_id: z.string(),
    enabled: z.boolean(),
    paused: z.boolean().openapi({ description: 'the automation is paused: nothing fires until it is resumed; the times are those from now' }),
    timezone: z.string(),
    next: z.array(z.string()).openapi({ description: 'fire times in UTC', example: ['2026-03-29T01:00:00.000Z'] }),
    next_local: z.array(z.string()).openapi({ description: "the same times in the trigger's timezone with their offset", example: ['2026-03-29T03:00:00+02:00'] }),
  })
  .openapi('SchedulePreview');

// RFC 3339 with a time and an offset (Z or ±hh:mm): a date alone or a local time is ambiguous
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function parseFrom(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = RFC3339.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) {
    const message = `expected an RFC 3339 time with an offset, such as 2026-03-29T00:00:00Z or 2026-03-29T02:00:00+02:00; got "${value.slice(0, 60)}"`;
    throw new ValidationError(`invalid from: ${message}`, [{ path: 'query.from', message }]);
  }
  return ms;
}

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
    query: z.object({
      count: z.coerce.number().int().min(1).max(1000).optional().openapi({ type: 'integer', description: 'fire times per trigger (default 5, at most 1000)' }),
      from: z.string().optional().openapi({ description: 'list the fire times at or after this RFC 3339 time instead of from the cursor', example: '2026-03-29T00:00:00Z' }),
    }),
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
    const query = c.req.valid('query');
    const from = parseFrom(query.from);
    const items = await rota.triggers.preview(c.var.workspaceId, c.req.valid('param').name, query.count ?? 5, { from });
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
