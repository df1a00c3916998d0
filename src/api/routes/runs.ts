/** Runs: manual start, list and detail, events, cancel/retry/replay, report. The stream is in run-stream.ts. */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { parseDuration } from '../../definition/duration.js';
import { ValidationError } from '../../errors.js';
import type { RotaService } from '../../node/service.js';
import { Scope, type RunStatus } from '../../states.js';
import type { ApiEnv, ApiLogger } from '../api-env.js';
import { requireScope } from '../auth.js';
import { jsonBody } from '../body.js';
import {
  Cursor,
  Limit,
  NameParam,
  RunEventViewSchema,
  RunIdParam,
  RunViewSchema,
  StatusList,
  errorResponse,
  errorResponses,
  jsonContent,
  pageOf,
} from '../schemas.js';
import { registerRunReport } from './run-report.js';
import { registerRunStream } from './run-stream.js';

const read = requireScope(Scope.runs_read);
const write = requireScope(Scope.runs_write);
const tags = ['runs'];
const MAX_WAIT_MS = 5 * 60_000;
const Inputs = z.record(z.string(), z.unknown());
/** Not validated: an invalid traceparent is ignored, as the W3C Trace Context specification says. */
const Traceparent = z.string().optional().openapi({
  description: "W3C Trace Context of the caller's span: the run's trace continues it (when the node exports traces, or another node that executes the run does)",
  example: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
});

const startRun = createRoute({
  method: 'post',
  path: '/automations/{name}/runs',
  tags,
  summary: 'Start a run (manual trigger); a replayed Idempotency-Key returns the first run with 200',
  middleware: [write, jsonBody],
  request: {
    params: NameParam,
    query: z.object({
      wait: z.string().max(20).optional().openapi({ description: 'wait up to this long (e.g. 30s, at most 5m) for the run to end', example: '30s' }),
    }),
    headers: z.object({
      'Idempotency-Key': z
        .string()
        .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1 to 200 visible ASCII characters')
        .optional(),
      traceparent: Traceparent,
    }),
    body: { required: false, content: { 'application/json': { schema: z.strictObject({ inputs: Inputs.optional() }) } } },
  },
  responses: {
    200: jsonContent(RunViewSchema, 'The run first started with this Idempotency-Key'),
    201: jsonContent(RunViewSchema, 'Started'),
    ...errorResponses,
    429: errorResponse('Over the fire limit (see Retry-After)'),
  },
});

const Iso = z.iso.datetime({ offset: true });

const listRuns = createRoute({
  method: 'get',
  path: '/runs',
  tags,
  summary: 'List runs, newest first',
  middleware: [read],
  request: {
    query: z.object({
      automation: z.string().max(63).optional(),
      status: StatusList.optional(),
      trigger: z.string().max(64).optional(),
      since: Iso.optional(),
      until: Iso.optional(),
      q: z.string().max(200).optional().openapi({ description: 'text contained in the run error' }),
      cursor: Cursor,
      limit: Limit(200),
    }),
  },
  responses: { 200: jsonContent(pageOf(RunViewSchema), 'A page of runs'), ...errorResponses },
});

const getRun = createRoute({
  method: 'get',
  path: '/runs/{id}',
  tags,
  summary: 'Get a run with its steps',
  middleware: [read],
  request: { params: RunIdParam },
  responses: { 200: jsonContent(RunViewSchema, 'The run'), ...errorResponses },
});

const runEvents = createRoute({
  method: 'get',
  path: '/runs/{id}/events',
  tags,
  summary: 'The event log of a run, after a sequence number',
  middleware: [read],
  request: {
    params: RunIdParam,
    query: z.object({
      after: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional().openapi({ type: 'integer' }),
      limit: Limit(1000),
    }),
  },
  responses: { 200: jsonContent(z.object({ items: z.array(RunEventViewSchema) }), 'Events in seq order'), ...errorResponses },
});

const cancelRun = createRoute({
  method: 'post',
  path: '/runs/{id}/cancel',
  tags,
  summary: 'Cancel a run, aborting its in-flight step',
  middleware: [write],
  request: { params: RunIdParam },
  responses: { 200: jsonContent(RunViewSchema, 'The run: canceled, or as it ended when it had already ended (cancel is idempotent)'), ...errorResponses },
});

const retryRun = createRoute({
  method: 'post',
  path: '/runs/{id}/retry',
  tags,
  summary: 'Re-run a failed run from its failed step (completed steps are reused)',
  middleware: [write],
  request: { params: RunIdParam, headers: z.object({ traceparent: Traceparent }) },
  responses: { 201: jsonContent(RunViewSchema, 'The new run'), ...errorResponses, 409: errorResponse('Not a failed run') },
});

const replayRun = createRoute({
  method: 'post',
  path: '/runs/{id}/replay',
  tags,
  summary: 'Start a fresh run with the same inputs, optionally overridden or on another version',
  middleware: [write, jsonBody],
  request: {
    params: RunIdParam,
    headers: z.object({ traceparent: Traceparent }),
    body: {
      required: false,
      content: {
        'application/json': {
          schema: z.strictObject({ inputs: Inputs.optional(), version: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional() }),
        },
      },
    },
  },
  responses: { 201: jsonContent(RunViewSchema, 'The new run'), ...errorResponses },
});

const pinRoute = (pinned: boolean) =>
  createRoute({
    method: 'post',
    path: `/runs/{id}/${pinned ? 'pin' : 'unpin'}`,
    tags,
    operationId: pinned ? 'pinRun' : 'unpinRun',
    summary: pinned ? 'Pin a run: retention never prunes it (idempotent)' : 'Unpin a run: retention applies to it again (idempotent)',
    middleware: [write],
    request: { params: RunIdParam },
    responses: { 200: jsonContent(RunViewSchema, 'The run'), ...errorResponses },
  });
const pinRun = pinRoute(true);
const unpinRun = pinRoute(false);

function waitMs(text: string | undefined): number | null {
  if (text === undefined) return null;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (err) {
    throw new ValidationError(`invalid wait: ${(err as Error).message}`, [{ path: 'query.wait', message: (err as Error).message }]);
  }
  if (ms > MAX_WAIT_MS) throw new ValidationError('wait is at most 5m', [{ path: 'query.wait', message: 'at most 5m' }]);
  return ms;
}

function epochMs(iso: string | undefined): number | undefined {
  return iso === undefined ? undefined : Date.parse(iso);
}

export function runRoutes(rota: RotaService, logger: ApiLogger): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(startRun, async (c) => {
    const ws = c.var.workspaceId;
    const wait = waitMs(c.req.valid('query').wait);
    const { inputs } = c.req.valid('json');
    const idempotencyKey = c.req.valid('header')['Idempotency-Key'] ?? null;
    const traceparent = c.req.valid('header').traceparent ?? null;
    const started = await rota.runs.start(ws, c.req.valid('param').name, { inputs, idempotencyKey, traceparent });
    const run = wait === null ? started.run : await rota.runs.wait(ws, started.run.id, wait);
    return c.json(run, started.created ? 201 : 200);
  });
  app.openapi(listRuns, async (c) => {
    const q = c.req.valid('query');
    const page = await rota.runs.list(c.var.workspaceId, {
      automation: q.automation,
      status: q.status?.split(',') as RunStatus[] | undefined, // StatusList admitted only RunStatus values
      trigger_id: q.trigger,
      since: epochMs(q.since),
      until: epochMs(q.until),
      error_text: q.q,
      cursor: q.cursor ?? null,
      limit: q.limit ?? 50,
    });
    return c.json(page, 200);
  });
  app.openapi(getRun, async (c) => c.json(await rota.runs.get(c.var.workspaceId, c.req.valid('param').id), 200));
  app.openapi(runEvents, async (c) => {
    const { id } = c.req.valid('param');
    const { after, limit } = c.req.valid('query');
    return c.json({ items: await rota.runs.events(c.var.workspaceId, id, { after: after ?? 0, limit: limit ?? 500 }) }, 200);
  });
  app.openapi(cancelRun, async (c) => c.json(await rota.runs.cancel(c.var.workspaceId, c.req.valid('param').id), 200));
  app.openapi(pinRun, async (c) => c.json(await rota.runs.pin(c.var.workspaceId, c.req.valid('param').id, true), 200));
  app.openapi(unpinRun, async (c) => c.json(await rota.runs.pin(c.var.workspaceId, c.req.valid('param').id, false), 200));
  app.openapi(retryRun, async (c) => c.json(await rota.runs.retry(c.var.workspaceId, c.req.valid('param').id, { traceparent: c.req.valid('header').traceparent }), 201));
  app.openapi(replayRun, async (c) => {
    const { inputs, version } = c.req.valid('json');
    return c.json(await rota.runs.replay(c.var.workspaceId, c.req.valid('param').id, { inputs, version, traceparent: c.req.valid('header').traceparent }), 201);
  });
  registerRunReport(app, rota);
  registerRunStream(app, rota, logger);
  return app;
}
