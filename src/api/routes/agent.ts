/** `GET /runs/{id}/steps/{step}/conversation`: every model and tool call of an agent step, with artifacts. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { NotFoundError } from '../../errors.js';
import type { RotaService } from '../../node/service.js';
import { Scope } from '../../states.js';
import type { ApiEnv } from '../api-env.js';
import { requireScope } from '../auth.js';
import { errorResponses, jsonContent } from '../schemas.js';

const AgentCallSchema = z
  .object({
    seq: z.number(),
    position: z.number(),
    kind: z.string().openapi({ example: 'model' }),
    name: z.string(),
    status: z.string().openapi({ example: 'ok' }),
    request: z.unknown(),
    response: z.unknown(),
    error: z.unknown(),
    input_tokens: z.number(),
    output_tokens: z.number(),
    cached_tokens: z.number(),
    cost_usd: z.number(),
    latency_ms: z.number(),
    created_at: z.string(),
  })
  .openapi('AgentCall');

const ArtifactSchema = z
  .object({
    id: z.string(),
    step_id: z.string(),
    position: z.number(),
    kind: z.string(),
    valid: z.boolean(),
    errors: z.unknown(),
    sha256: z.string(),
    size_bytes: z.number(),
    created_at: z.string(),
    content: z.string().optional(),
  })
  .openapi('Artifact');

const ConversationSchema = z
  .object({
    run_id: z.string(),
    step_id: z.string(),
    input: z.unknown(),
    calls: z.array(AgentCallSchema),
    artifacts: z.array(ArtifactSchema),
    totals: z.object({ cost_usd: z.number(), input_tokens: z.number(), output_tokens: z.number(), model_calls: z.number(), tool_calls: z.number() }),
  })
  .openapi('AgentConversation');

const conversationRoute = createRoute({
  method: 'get',
  path: '/runs/{id}/steps/{step}/conversation',
  tags: ['runs'],
  summary: 'The conversation of an agent step: model and tool calls (tokens, cost, latency) and artifacts',
  middleware: [requireScope(Scope.runs_read)],
  request: { params: z.object({ id: z.string().min(1).max(100), step: z.string().min(1).max(100) }) },
  responses: { 200: jsonContent(ConversationSchema, 'The conversation'), ...errorResponses },
});

const CostsSchema = z
  .object({
    automation: z.string(),
    since: z.string(),
    cost_usd: z.number(),
    tokens: z.number(),
    model_calls: z.number(),
    days: z.array(z.object({ day: z.string(), cost_usd: z.number(), tokens: z.number(), model_calls: z.number() })),
  })
  .openapi('AutomationCosts');

const costsRoute = createRoute({
  method: 'get',
  path: '/automations/{name}/costs',
  tags: ['automations'],
  summary: "Cost and token totals of an automation's agent model calls, per UTC day",
  middleware: [requireScope(Scope.runs_read)],
  request: {
    params: z.object({ name: z.string().min(1).max(63) }),
    query: z.object({ days: z.coerce.number().int().min(1).max(366).optional().openapi({ type: 'integer', description: 'how many UTC days back, today included (default 30)' }) }),
  },
  responses: { 200: jsonContent(CostsSchema, 'Totals'), ...errorResponses },
});

const DAY_MS = 86_400_000;

export function agentRoutes(rota: RotaService): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(costsRoute, async (c) => {
    if (!rota.agent) throw new NotFoundError('agent steps are not available on this server');
    const days = c.req.valid('query').days ?? 30;
    const since = Math.floor(Date.now() / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
    return c.json(await rota.agent.costs(c.var.workspaceId, c.req.valid('param').name, since), 200);
  });
  app.openapi(conversationRoute, async (c) => {
    if (!rota.agent) throw new NotFoundError('agent steps are not available on this server');
    const { id, step } = c.req.valid('param');
    return c.json(await rota.agent.conversation(c.var.workspaceId, id, step), 200);
  });
  return app;
}
