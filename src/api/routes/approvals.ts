/**
 * Approvals: the inbox (`?state=pending`), one approval, and decisions. Reading needs
 * `runs:read`; deciding needs `approvals:write` and, when the approval lists approvers, a token
 * matching one of them by id, name or scope.
 */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { ValidationError } from '../../errors.js';
import type { RotaService } from '../../node/service.js';
import { ApprovalKind, ApprovalStatus, Scope } from '../../states.js';
import type { ApiEnv } from '../api-env.js';
import { requireScope } from '../auth.js';
import { jsonBody } from '../body.js';
import { Cursor, Limit, errorResponse, errorResponses, jsonContent, pageOf } from '../schemas.js';

const tags = ['approvals'];
const STATES = Object.values(ApprovalStatus) as [ApprovalStatus, ...ApprovalStatus[]];

const Decision = z.object({
  by: z.string().openapi({ description: 'token id' }),
  by_name: z.string().nullable().openapi({ description: 'token name' }),
  decision: z.string().openapi({ enum: ['approve', 'reject', 'abort'] }),
  comment: z.string().nullable(),
  value: z.unknown().optional(),
  at: z.string(),
});

export const ApprovalViewSchema = z
  .object({
    id: z.string(),
    run_id: z.string(),
    step_id: z.string(),
    automation: z.string(),
    run_status: z.string(),
    key: z.string(),
    kind: z.string().openapi({ enum: Object.values(ApprovalKind) }),
    message: z.string(),
    details: z.unknown(),
    approvers: z.array(z.string()).nullable(),
    min_approvals: z.number().int(),
    approvals: z.number().int().openapi({ description: 'distinct tokens that approved so far' }),
    state: z.string().openapi({ enum: [...STATES] }),
    outcome: z.string().nullable().openapi({ description: 'decision in force; for expired, the on_timeout applied' }),
    value: z.unknown().openapi({ description: 'edited value in force (approve with value), else null' }),
    decided_by: z.string().nullable(),
    comment: z.string().nullable(),
    decisions: z.array(Decision),
    expires_at: z.string().nullable(),
    on_timeout: z.string(),
    created_at: z.string(),
    decided_at: z.string().nullable(),
  })
  .openapi('Approval');

const IdParam = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be an approval id')
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const listApprovals = createRoute({
  method: 'get',
  path: '/approvals',
  tags,
  summary: 'List approvals, newest first (the inbox: ?state=pending)',
  middleware: [requireScope(Scope.runs_read)],
  request: {
    query: z.object({
      state: z.enum(STATES).optional(),
      run_id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/).optional(),
      cursor: Cursor,
      limit: Limit(200),
    }),
  },
  responses: { 200: jsonContent(pageOf(ApprovalViewSchema), 'A page of approvals'), ...errorResponses },
});

const getApproval = createRoute({
  method: 'get',
  path: '/approvals/{id}',
  tags,
  summary: 'One approval with its decisions',
  middleware: [requireScope(Scope.runs_read)],
  request: { params: IdParam },
  responses: { 200: jsonContent(ApprovalViewSchema, 'The approval'), ...errorResponses },
});

const decide = createRoute({
  method: 'post',
  path: '/approvals/{id}/decision',
  tags,
  summary: 'Approve (optionally with an edited value), reject or abort; repeating your decision is idempotent',
  middleware: [requireScope(Scope.approvals_write), jsonBody],
  request: {
    params: IdParam,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({
            decision: z.enum(['approve', 'reject', 'abort']),
            value: z.unknown().optional().openapi({ description: 'approve only: the edited value (or edited tool arguments)' }),
            comment: z.string().max(10_000).optional(),
          }),
        },
      },
    },
  },
  responses: {
    200: jsonContent(ApprovalViewSchema, 'The approval after the decision (or unchanged, for a repeated one)'),
    ...errorResponses,
    409: errorResponse('A conflicting decision, or the approval is already settled'),
  },
});

export function approvalRoutes(rota: RotaService): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(listApprovals, async (c) => {
    const { state, run_id, cursor, limit } = c.req.valid('query');
    return c.json(await rota.approvals.list(c.var.workspaceId, { state, runId: run_id, cursor: cursor ?? null, limit }), 200);
  });
  app.openapi(getApproval, async (c) => c.json(await rota.approvals.get(c.var.workspaceId, c.req.valid('param').id), 200));
  app.openapi(decide, async (c) => {
    const body = c.req.valid('json');
    if (body.value !== undefined && body.decision !== 'approve') {
      throw new ValidationError('value is only accepted with decision: approve', [{ path: 'value', message: 'only with decision: approve' }]);
    }
    const input = { decision: body.decision, comment: body.comment ?? null, ...('value' in body ? { value: body.value } : {}) };
    return c.json(await rota.approvals.decide(c.var.workspaceId, c.req.valid('param').id, c.var.principal, input), 200);
  });
  return app;
}
