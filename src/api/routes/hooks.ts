/**
 * `POST /hooks/{workspace}/{endpoint}`: webhook ingestion. No bearer token: each trigger
 * authenticates its sender by its `verify.scheme` (triggers/webhook-verify.ts). The raw body is
 * read here, bounded by the trigger's `max_body`, because signatures cover its exact bytes.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { RotaService } from '../../node/service.js';
import type { HeaderMap } from '../../triggers/webhook-verify.js';
import type { ApiEnv } from '../api-env.js';
import { errorResponse, jsonContent } from '../schemas.js';

const SEGMENT = /^[A-Za-z0-9_-]{1,100}$/;

const HookResultSchema = z
  .object({
    delivery_id: z.string().nullable(),
    runs: z.array(z.object({ id: z.string(), status: z.string() })),
    filtered: z.boolean(),
    duplicate: z.boolean(),
  })
  .openapi('WebhookResult');

const receiveHook = createRoute({
  method: 'post',
  path: '/hooks/{workspace}/{endpoint}',
  tags: ['webhooks'],
  summary: 'Deliver a webhook (authenticated by the trigger\'s scheme, not by a token)',
  security: [],
  request: {
    params: z.object({
      workspace: z.string().openapi({ param: { name: 'workspace', in: 'path' }, example: 'default' }),
      endpoint: z.string().openapi({ param: { name: 'endpoint', in: 'path' }, description: "the trigger's endpoint_id" }),
    }),
    body: { content: { 'application/json': { schema: z.unknown() }, 'text/plain': { schema: z.string() } } },
  },
  responses: {
    202: jsonContent(HookResultSchema, 'A run was durably recorded'),
    200: jsonContent(HookResultSchema, 'A re-delivery (the original run) or filtered out (no run; may be sent again)'),
    400: errorResponse('Content-Type says JSON but the body is not'),
    401: errorResponse('Verification failed (also: unknown endpoint)'),
    409: errorResponse('Authenticated, but the trigger is disabled'),
    413: errorResponse('Body larger than the trigger\'s max_body (default 1 MiB)'),
  },
});

export function hookRoutes(rota: RotaService): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openAPIRegistry.registerPath({ ...receiveHook });
  app.post('/hooks/:workspace/:endpoint', async (c) => {
    const workspace = c.req.param('workspace');
    const endpoint = c.req.param('endpoint');
    const declaredHeader = c.req.header('content-length');
    const declared = declaredHeader !== undefined && /^\d+$/.test(declaredHeader) ? Number(declaredHeader) : null;
    const result = await rota.webhooks.receive({
      // malformed segments cannot name a trigger: looked up as a miss, answered like one
      workspace: SEGMENT.test(workspace) ? workspace : '-',
      endpoint: SEGMENT.test(endpoint) ? endpoint : '-',
      headers: headerMap(c),
      contentLength: declared,
      readBody: (limit) => readLimited(c.req.raw, limit, declared),
    });
    return c.json(result.body, result.status as 200);
  });
  return app;
}

function headerMap(c: Context): HeaderMap {
  const out: HeaderMap = {};
  c.req.raw.headers.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}

/** The body, or null as soon as it grows past `limit` (the rest is not read). */
async function readLimited(request: Request, limit: number, declared: number | null): Promise<Buffer | null> {
  if (declared !== null && declared <= limit) {
    // The HTTP parser ends a body at its Content-Length, already checked against the limit: read
    // it whole, without the web stream a chunked body needs (a third of ingestion's CPU time).
    const body = Buffer.from(await request.arrayBuffer());
    return body.byteLength > limit ? null : body;
  }
  if (request.body === null) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size);
}
