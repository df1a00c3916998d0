/** Retention: what the next sweep would prune (runs:read), and a prune now (admin). */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { RotaService } from '../../node/service.js';
import { Scope } from '../../states.js';
import type { ApiEnv } from '../api-env.js';
import { requireScope } from '../auth.js';
import { errorResponses, jsonContent } from '../schemas.js';

const tags = ['retention'];
const Automation = z.object({
  automation: z.string().min(1).max(63).optional().openapi({ description: 'only this automation (default: every automation of the workspace)' }),
});
const Reasons = z.object({ age: z.number().int(), count: z.number().int(), keep_failed: z.number().int(), total: z.number().int() });

const PreviewSchema = z
  .object({
    automations: z.array(
      z.object({
        automation: z.string(),
        policy: z.object({ max_age: z.string(), max_runs: z.number().int(), keep_failed: z.string().nullable() }).openapi({ description: 'the policy in force (0: no limit)' }),
        prunable: Reasons.openapi({ description: 'runs the next sweep deletes, by the rule that lets them go' }),
        held: z.object({ pinned: z.number().int(), children: z.number().int(), active: z.number().int() }).openapi({ description: 'runs beyond the policy that stay (pinned; children of a parent still kept), and the active runs' }),
      }),
    ),
    totals: z.object({ prunable: z.number().int(), held: z.number().int() }),
  })
  .openapi('RetentionPreview');

const PruneSchema = z
  .object({ runs: Reasons, rows: z.number().int(), duration_ms: z.number(), swept: z.boolean().openapi({ description: 'false: another node was sweeping; nothing was deleted by this call, try again shortly' }) })
  .openapi('PruneResult');

const preview = createRoute({
  method: 'get',
  path: '/retention/preview',
  tags,
  operationId: 'previewRetention',
  summary: 'Dry run: how many runs the next retention sweep would delete, per automation and reason, and what it holds back',
  middleware: [requireScope(Scope.runs_read)],
  request: { query: Automation },
  responses: { 200: jsonContent(PreviewSchema, 'The preview; nothing was deleted'), ...errorResponses },
});

const prune = createRoute({
  method: 'post',
  path: '/retention/prune',
  tags,
  operationId: 'pruneRuns',
  summary: "Sweep the workspace's run history now (admin); pruned runs are archived first when retention.archive_dir is set",
  middleware: [requireScope(Scope.admin)],
  request: { query: Automation },
  responses: { 200: jsonContent(PruneSchema, 'What was deleted'), ...errorResponses },
});

export function retentionRoutes(rota: RotaService): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(preview, async (c) => c.json(await rota.retention.preview(c.var.workspaceId, c.req.valid('query')), 200));
  app.openapi(prune, async (c) => c.json(await rota.retention.prune(c.var.workspaceId, c.req.valid('query')), 200));
  return app;
}
