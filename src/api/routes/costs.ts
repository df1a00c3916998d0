/** `GET /costs`: the workspace's agent spend per UTC day, automation and model, and its daily budgets. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { NotFoundError } from '../../errors.js';
import type { RotaService } from '../../node/service.js';
import { Scope } from '../../states.js';
import type { ApiEnv } from '../api-env.js';
import { requireScope } from '../auth.js';
import { errorResponses, jsonContent } from '../schemas.js';

const Limit = z
  .object({ max_cost_usd: z.number().nullable(), max_tokens: z.number().nullable() })
  .openapi('CostLimit', { description: 'a daily limit; a null field does not limit' });

const Spent = z.object({ cost_usd: z.number(), tokens: z.number() });

const budgetFields = {
  limit: Limit.nullable().openapi({ description: 'null: no daily limit' }),
  spent: Spent.openapi({ description: 'spent today (UTC), as the daily budgets count it' }),
  exhausted: z.boolean().openapi({ description: 'the day is spent: nothing more may start today' }),
};

const WorkspaceCostsSchema = z
  .object({
    since: z.string().openapi({ description: 'first UTC day counted (YYYY-MM-DD)', example: '2030-06-01' }),
    today: z.string().openapi({ description: 'the current UTC day (YYYY-MM-DD)' }),
    days: z.number().int(),
    totals: z.object({ cost_usd: z.number(), tokens: z.number(), calls: z.number() }),
    entries: z
      .array(
        z.object({
          day: z.string().openapi({ example: '2030-06-15' }),
          automation: z.string(),
          model: z.string().nullable().openapi({ description: '`provider:model`; null for spending of runs pruned before costs were kept by model', example: 'openai:gpt-4o-mini' }),
          cost_usd: z.number(),
          tokens: z.number(),
          calls: z.number().openapi({ description: 'model calls' }),
        }),
      )
      .openapi({ description: 'one per UTC day, automation and model with spend; oldest day first' }),
    budgets: z.object({
      automation_per_day: Limit.nullable().openapi({ description: "the node's default daily limit of each automation (budgets.automation_per_day)" }),
      workspace: z.object(budgetFields).openapi({ description: "the node's budgets.workspace_per_day against the workspace's spend today" }),
      automations: z
        .array(
          z.object({
            automation: z.string(),
            status: z.string(),
            per_day: Limit.nullable().openapi({ description: "the definition's execution.budget.per_day" }),
            ...budgetFields,
          }),
        )
        .openapi({ description: 'automations with a daily limit (the stricter of the node default and per_day) or with spend today' }),
    }),
  })
  .openapi('WorkspaceCosts');

const costsRoute = createRoute({
  method: 'get',
  path: '/costs',
  tags: ['costs'],
  summary: "The workspace's agent spend per UTC day, automation and model, with totals and daily budgets",
  middleware: [requireScope(Scope.runs_read)],
  request: {
    query: z.object({ days: z.coerce.number().int().min(1).max(366).optional().openapi({ type: 'integer', description: 'how many UTC days back, today included (default 30)' }) }),
  },
  responses: { 200: jsonContent(WorkspaceCostsSchema, 'Spend and budgets'), ...errorResponses },
});

export function costRoutes(rota: RotaService): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(costsRoute, async (c) => {
    if (!rota.agent) throw new NotFoundError('agent steps are not available on this server');
    return c.json(await rota.agent.workspaceCosts(c.var.workspaceId, c.req.valid('query').days ?? 30), 200);
  });
  return app;
}
