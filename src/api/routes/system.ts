/** Unauthenticated probes: liveness and readiness. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { ErrorCode } from '../../errors.js';
import type { RotaService } from '../../node/service.js';
import type { ApiEnv, ApiLogger } from '../api-env.js';
import { errorBody } from '../errors.js';
import { ErrorSchema, jsonContent } from '../schemas.js';

const Health = z.object({ ok: z.boolean(), database: z.string(), node: z.string() });

const healthz = createRoute({
  method: 'get',
  path: '/healthz',
  tags: ['system'],
  summary: 'Liveness: the process answers',
  security: [],
  responses: { 200: jsonContent(z.object({ ok: z.literal(true) }), 'Alive') },
});

const readyz = createRoute({
  method: 'get',
  path: '/readyz',
  tags: ['system'],
  summary: 'Readiness: the database answers',
  security: [],
  responses: { 200: jsonContent(Health, 'Ready'), 503: jsonContent(ErrorSchema, 'Not ready') },
});

export function systemRoutes(rota: RotaService, logger: ApiLogger): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(healthz, (c) => c.json({ ok: true as const }, 200));
  app.openapi(readyz, async (c) => {
    try {
      const health = await rota.health();
      if (health.ok) return c.json(health, 200);
      return c.json(errorBody(ErrorCode.unavailable, 'not ready', health), 503);
    } catch (err) {
      logger.error({ err }, 'health check failed');
      return c.json(errorBody(ErrorCode.unavailable, 'not ready'), 503);
    }
  });
  return app;
}
