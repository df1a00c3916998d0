/** Events: publish into the workspace (matched against event triggers) and list. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { RotaService } from '../../node/service.js';
import { Scope } from '../../states.js';
import type { ApiEnv } from '../api-env.js';
import { requireScope } from '../auth.js';
import { jsonBody } from '../body.js';
import { Cursor, EventViewSchema, Limit, errorResponses, jsonContent, pageOf } from '../schemas.js';

const tags = ['events'];

const emitEvent = createRoute({
  method: 'post',
  path: '/events',
  tags,
  summary: 'Publish an event; a repeated `id` is answered 200 with `duplicate: true`',
  middleware: [requireScope(Scope.events_write), jsonBody],
  request: {
    headers: z.object({
      traceparent: z.string().optional().openapi({
        description: "W3C Trace Context of the caller's span: the runs the event starts continue its trace (an invalid value is ignored)",
        example: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      }),
    }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({
            name: z.string().min(1).max(200).openapi({ example: 'invoice.overdue' }),
            data: z.unknown().optional(),
            id: z.string().min(1).max(200).optional().openapi({ description: 'dedupe key' }),
          }),
        },
      },
    },
  },
  responses: {
    200: jsonContent(EventViewSchema, 'Already published with this id'),
    202: jsonContent(EventViewSchema, 'Accepted'),
    ...errorResponses,
  },
});

const listEvents = createRoute({
  method: 'get',
  path: '/events',
  tags,
  summary: 'List published events, newest first',
  middleware: [requireScope(Scope.runs_read)],
  request: { query: z.object({ name: z.string().max(200).optional(), cursor: Cursor, limit: Limit(200) }) },
  responses: { 200: jsonContent(pageOf(EventViewSchema), 'A page of events'), ...errorResponses },
});

export function eventRoutes(rota: RotaService): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(emitEvent, async (c) => {
    const { name, data, id } = c.req.valid('json');
    const event = await rota.events.emit(c.var.workspaceId, { name, data, id }, 'api', { traceparent: c.req.valid('header').traceparent ?? null });
    return c.json(event, event.duplicate ? 200 : 202);
  });
  app.openapi(listEvents, async (c) => {
    const { name, cursor, limit } = c.req.valid('query');
    return c.json(await rota.events.list(c.var.workspaceId, { name, cursor: cursor ?? null, limit }), 200);
  });
  return app;
}
