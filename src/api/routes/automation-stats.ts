/**
 * `GET /automation-stats?names=a,b`: what the automations list shows per row, for a whole page of
 * it in one request. Not under `/automations/`: `stats` is a valid automation name.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { NAME_PATTERN } from '../../definition/schema.js';
import { STATS_DEFAULT_RUNS, STATS_MAX_NAMES, STATS_MAX_RUNS } from '../../node/automation-stats.js';
import type { RotaService } from '../../node/service.js';
import { RunStatus, Scope } from '../../states.js';
import type { ApiEnv } from '../api-env.js';
import { requireScope } from '../auth.js';
import { errorResponses, jsonContent } from '../schemas.js';

const AutomationStatsSchema = z
  .object({
    name: z.string(),
    recent: z
      .array(z.object({ id: z.string(), status: z.enum(RunStatus), ended_at: z.string() }))
      .openapi({ description: 'the last ended runs, newest first' }),
    success_rate: z
      .number()
      .nullable()
      .openapi({ description: 'succeeded / (succeeded + failed + timed_out) among `recent`; null when none of them counts' }),
    open: z.object({ queued: z.number().int(), running: z.number().int(), waiting: z.number().int() }).openapi({ description: 'runs not ended yet' }),
    today: z.object({ cost_usd: z.number(), tokens: z.number() }).openapi({ description: 'agent spending of the current UTC day' }),
  })
  .openapi('AutomationStats');

function splitNames(value: string): string[] {
  return value.split(',').map((n) => n.trim()).filter((n) => n !== '');
}

const Names = z
  .string()
  .openapi({ description: `comma-separated automation names, at most ${STATS_MAX_NAMES}`, example: 'hello,nightly-report' })
  .superRefine((value, ctx) => {
    const names = splitNames(value);
    if (names.length === 0) ctx.addIssue({ code: 'custom', message: 'name at least one automation' });
    if (names.length > STATS_MAX_NAMES) ctx.addIssue({ code: 'custom', message: `at most ${STATS_MAX_NAMES} names (got ${names.length})` });
    const bad = names.filter((n) => !NAME_PATTERN.test(n));
    if (bad.length > 0) ctx.addIssue({ code: 'custom', message: `not automation names (^[a-z0-9][a-z0-9-]{0,62}$): ${bad.slice(0, 5).map((n) => JSON.stringify(n.slice(0, 70))).join(', ')}` });
  });

const statsRoute = createRoute({
  method: 'get',
  path: '/automation-stats',
  tags: ['automations'],
  summary: 'Recent outcomes, success rate, open runs and today\'s spend of the named automations (a page of the list at once)',
  description: 'Names the workspace does not have are left out of `items`; the others come in the order asked.',
  middleware: [requireScope(Scope.automations_read)],
  request: {
    query: z.object({
      names: Names,
      runs: z.coerce
        .number()
        .int()
        .min(1)
        .max(STATS_MAX_RUNS)
        .optional()
        .openapi({ type: 'integer', description: `ended runs per automation in \`recent\` (default ${STATS_DEFAULT_RUNS}, at most ${STATS_MAX_RUNS})` }),
    }),
  },
  responses: { 200: jsonContent(z.object({ items: z.array(AutomationStatsSchema) }), 'One entry per automation found'), ...errorResponses },
});

export function automationStatsRoutes(rota: RotaService): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(statsRoute, async (c) => {
    const { names, runs } = c.req.valid('query');
    return c.json({ items: await rota.automations.stats(c.var.workspaceId, splitNames(names), { runs }) }, 200);
  });
  return app;
}
