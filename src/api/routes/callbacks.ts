/**
 * Delegation callbacks: `POST /api/v1/callbacks/{id}` from an external runtime. Authenticated by
 * the one-time callback token of that delegation (not a `rota_` token), so these routes are mounted
 * before the bearer middleware. A wrong token is 401; a used one, or one past the step's timeout,
 * is 409; neither changes anything.
 */
import { DelegationStatus } from '../../states.js';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { AuthError, ErrorCode, RotaError } from '../../errors.js';
import type { RotaService } from '../../node/service.js';
import type { ApiEnv } from '../api-env.js';
import { jsonBody } from '../body.js';
import { errorResponse, errorResponses, jsonContent } from '../schemas.js';

const BEARER = /^Bearer\s+(rcb_[A-Za-z0-9_-]{1,200})\s*$/i;

const callback = createRoute({
  method: 'post',
  path: '/callbacks/{id}',
  tags: ['callbacks'],
  summary: 'A delegate runtime reports the result ({output}) or failure ({error: {message}}) of its task',
  security: [{ callbackToken: [] }],
  request: {
    params: z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/).openapi({ param: { name: 'id', in: 'path' } }) }),
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.union([
            z.strictObject({ output: z.unknown() }),
            z.strictObject({ error: z.strictObject({ message: z.string().max(10_000), code: z.string().max(100).optional(), details: z.unknown().optional() }) }),
          ]),
        },
      },
    },
  },
  responses: {
    200: jsonContent(z.object({ delegation_id: z.string(), state: z.enum([DelegationStatus.succeeded, DelegationStatus.failed]) }), 'Accepted; the step continues'),
    ...errorResponses,
    409: errorResponse('The token was used already, or the step stopped waiting (timeout)'),
  },
});

export function callbackRoutes(rota: RotaService, maxBodyBytes: number): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  const limit = bodyLimit({
    maxSize: maxBodyBytes,
    onError: () => {
      throw new RotaError(ErrorCode.payload_too_large, `request body exceeds ${maxBodyBytes} bytes`);
    },
  });
  // token first: an unauthenticated caller's body is never read
  app.use('/callbacks/*', async (c, next) => {
    const match = BEARER.test(c.req.header('authorization') ?? '');
    if (!match) throw new AuthError(ErrorCode.unauthenticated, 'send the callback token: "Authorization: Bearer rcb_..."');
    await next();
  });
  app.use('/callbacks/*', limit, jsonBody);
  app.openapi(callback, async (c) => {
    const token = BEARER.exec(c.req.header('authorization') ?? '')![1];
    const body = c.req.valid('json');
    return c.json((await rota.callbacks.deliver(c.req.valid('param').id, token, body)) as { delegation_id: string; state: Exclude<DelegationStatus, typeof DelegationStatus.pending> }, 200);
  });
  return app;
}
