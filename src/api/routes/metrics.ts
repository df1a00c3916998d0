/**
 * `GET /metrics`: the node's Prometheus metrics, on the API port. Protected like the API (a token
 * with `metrics:read`, or `admin`) unless configuration makes it public (`metrics.public`).
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { NotFoundError } from '../../errors.js';
import { Scope } from '../../states.js';
import type { RotaService } from '../../node/service.js';
import type { ApiEnv } from '../api-env.js';
import { authenticate, requireScope } from '../auth.js';
import { errorResponses } from '../schemas.js';

const scrape = createRoute({
  method: 'get',
  path: '/metrics',
  tags: ['system'],
  summary: 'Prometheus metrics of this node (token with metrics:read or admin, unless metrics.public)',
  responses: {
    200: { description: 'The Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } },
    ...errorResponses,
  },
});

export function metricsRoutes(rota: RotaService, defaultWorkspace: string): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  const bearer = authenticate(rota, defaultWorkspace);
  const scope = requireScope(Scope.metrics_read);
  const guard: MiddlewareHandler<ApiEnv> = async (c, next) => {
    if (!rota.metrics.enabled) throw new NotFoundError('metrics are turned off on this node (metrics.enabled: false, env ROTA_METRICS=0)');
    if (rota.metrics.public) return next();
    await bearer(c, async () => {
      await scope(c, next);
    });
  };
  app.use('/metrics', guard);
  app.openapi(scrape, async (c) => {
    const { contentType, body } = await rota.metrics.scrape();
    return c.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' }) as never;
  });
  return app;
}
