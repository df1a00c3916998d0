/** `POST /runs/bulk`: cancel or retry many runs, by id or by filter (a batch per call, resumable by cursor). */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { BULK_BATCH, BULK_MAX_IDS, BulkAction, BulkSkipReason } from '../../node/runs-bulk-service.js';
import type { RotaService } from '../../node/service.js';
import { RunStatus, Scope } from '../../states.js';
import type { ApiEnv } from '../api-env.js';
import { requireScope } from '../auth.js';
import { jsonBody } from '../body.js';
import { Cursor, RunIdParam, errorResponses, jsonContent } from '../schemas.js';

const Iso = z.iso.datetime({ offset: true });

const RunFilterSchema = z
  .strictObject({
    automation: z.string().max(63).optional(),
    status: z.array(z.enum(Object.values(RunStatus))).max(8).optional().openapi({ description: 'any of these statuses' }),
    trigger: z.string().max(64).optional().openapi({ description: 'trigger id' }),
    since: Iso.optional().openapi({ description: 'queued at or after' }),
    until: Iso.optional().openapi({ description: 'queued before' }),
    q: z.string().max(200).optional().openapi({ description: 'text contained in the run error' }),
  })
  .openapi('RunFilter', { description: 'the filters of GET /runs, as an object' });

const BulkRequestSchema = z
  .strictObject({
    action: z.enum(Object.values(BulkAction)),
    ids: z
      .array(RunIdParam.shape.id)
      .min(1)
      .max(BULK_MAX_IDS)
      .optional()
      .openapi({ description: `these runs (at most ${BULK_MAX_IDS}); or give filter` }),
    filter: RunFilterSchema.optional(),
    cursor: Cursor.openapi({ description: 'filter: the next_cursor of the previous call' }),
    limit: z.number().int().min(1).max(BULK_MAX_IDS).optional().openapi({ description: `filter: runs acted on in this call (default ${BULK_BATCH})` }),
  })
  .superRefine((body, ctx) => {
    if ((body.ids === undefined) === (body.filter === undefined)) ctx.addIssue({ code: 'custom', path: ['ids'], message: 'give either ids or filter (exactly one)' });
    for (const key of ['cursor', 'limit'] as const) {
      if (body.ids !== undefined && body[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${key} goes with filter, not with ids` });
    }
  })
  .openapi('BulkRunsRequest');

const BulkResultSchema = z
  .object({
    action: z.string().openapi({ enum: Object.values(BulkAction) }),
    results: z.array(
      z.object({
        id: z.string(),
        automation: z.string().nullable(),
        outcome: z.enum(['done', 'skipped']),
        reason: z.string().nullable().openapi({ enum: [...Object.values(BulkSkipReason), null], description: 'why the run was skipped; null when done' }),
        code: z.string().nullable().openapi({ description: 'reason refused: the error code the single action answered' }),
        message: z.string(),
        status: z.string().nullable().openapi({ description: "the run's status after the action" }),
        retry_run_id: z.string().nullable().openapi({ description: 'retry: the new run (already_retried: the newest earlier retry)' }),
      }),
    ),
    done: z.number().int(),
    skipped: z.number().int(),
    next_cursor: z.string().nullable().openapi({ description: 'filter: send it back as cursor for the next batch; null when every matching run was handled' }),
    remaining: z.number().int().openapi({ description: 'filter: runs still matching beyond next_cursor' }),
  })
  .openapi('BulkRunsResult');

const bulkRuns = createRoute({
  method: 'post',
  path: '/runs/bulk',
  tags: ['runs'],
  operationId: 'bulkRuns',
  summary: 'Cancel or retry many runs: by id (at most 500), or every run matching a filter in batches (loop on next_cursor)',
  description:
    'Each run gets what its single cancel or retry does; a run it does not apply to is skipped with the reason ' +
    '(already_ended, not_failed, already_retried, automation_paused, not_found, refused). With a filter, one call acts on at most ' +
    '`limit` runs, newest first; pass `next_cursor` back as `cursor` until it is null. Runs that a retry starts are newer than ' +
    'the cursor, so a loop never acts on them.',
  middleware: [requireScope(Scope.runs_write), jsonBody],
  request: { body: { required: true, content: { 'application/json': { schema: BulkRequestSchema } } } },
  responses: { 200: jsonContent(BulkResultSchema, 'What happened to each run of this batch'), ...errorResponses },
});

export function runBulkRoutes(rota: RotaService): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(bulkRuns, async (c) => {
    const body = c.req.valid('json');
    const f = body.filter;
    const filter = f && {
      automation: f.automation,
      status: f.status,
      trigger_id: f.trigger,
      since: f.since === undefined ? undefined : Date.parse(f.since),
      until: f.until === undefined ? undefined : Date.parse(f.until),
      error_text: f.q,
    };
    return c.json(await rota.runs.bulk(c.var.workspaceId, { action: body.action, ids: body.ids, filter, cursor: body.cursor ?? null, limit: body.limit }), 200);
  });
  return app;
}
