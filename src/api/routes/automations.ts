/** Automations: create/replace from JSON or YAML, list, read, versions, pause/resume/archive. */
import { createRoute, OpenAPIHono, type RouteConfig, z } from '@hono/zod-openapi';
import { definitionSchema } from '../../definition/schema.js';
import { ValidationError } from '../../errors.js';
import type { RotaService } from '../../node/service.js';
import type { ApplyResult, ApplyWarning, AutomationView } from '../../node/views.js';
import { AutomationStatus, Scope } from '../../states.js';
import { isRecord } from '../../definition/json-path.js';
import type { ApiEnv } from '../api-env.js';
import { requireScope } from '../auth.js';
import { definitionBody } from '../body.js';
import {
  AutomationViewSchema,
  NameCursor,
  Limit,
  NameParam,
  VersionViewSchema,
  errorResponse,
  errorResponses,
  jsonContent,
  pageOf,
} from '../schemas.js';

const read = requireScope(Scope.automations_read);
const write = requireScope(Scope.automations_write);
const tags = ['automations'];

const definitionDoc = {
  description: 'The automation definition (see the README, section "The definition format") as JSON, or as YAML with Content-Type application/yaml',
  required: true,
  content: {
    'application/json': { schema: definitionSchema },
    'application/yaml': { schema: z.string() },
  },
};

/**
 * Definitions are validated by the service (it also checks actions, templates and references), so
 * the route that runs is registered without a body and the document gets the body separately.
 */
function withDefinitionBody(app: OpenAPIHono<ApiEnv>, route: RouteConfig): RouteConfig {
  app.openAPIRegistry.registerPath({ ...route, request: { ...route.request, body: definitionDoc } });
  return { ...route, hide: true };
}

/** The automation, plus what will fail at run time unless fixed first (e.g. a secret not set yet). */
const AppliedSchema = AutomationViewSchema.extend({
  warnings: z.array(z.object({ path: z.string(), message: z.string() })).optional().openapi({ description: 'present only when there are warnings' }),
});

function applied(result: ApplyResult): AutomationView | (AutomationView & { warnings: ApplyWarning[] }) {
  return result.warnings.length === 0 ? result.automation : { ...result.automation, warnings: result.warnings };
}

const createAutomation = createRoute({
  method: 'post',
  path: '/automations',
  tags,
  summary: 'Create an automation (409 when the name exists)',
  middleware: [write, definitionBody],
  responses: { 201: jsonContent(AppliedSchema, 'Created'), ...errorResponses, 409: errorResponse('Exists') },
});

const putAutomation = createRoute({
  method: 'put',
  path: '/automations/{name}',
  tags,
  summary: 'Create or replace an automation; a changed definition becomes version N+1',
  middleware: [write, definitionBody],
  request: { params: NameParam },
  responses: {
    200: jsonContent(AppliedSchema, 'Updated (or unchanged)'),
    201: jsonContent(AppliedSchema, 'Created'),
    ...errorResponses,
    409: errorResponse('Not editable (source: file)'),
  },
});

const validateAutomation = createRoute({
  method: 'post',
  path: '/automations/validate',
  tags,
  summary: 'Validate a definition without saving it',
  middleware: [read, definitionBody],
  responses: { 200: jsonContent(z.object({ valid: z.literal(true) }), 'Valid'), ...errorResponses },
});

const listAutomations = createRoute({
  method: 'get',
  path: '/automations',
  tags,
  summary: 'List automations',
  middleware: [read],
  request: {
    query: z.object({ status: z.enum(AutomationStatus).optional(), cursor: NameCursor, limit: Limit(200) }),
  },
  responses: { 200: jsonContent(pageOf(AutomationViewSchema), 'A page of automations'), ...errorResponses },
});

const getAutomation = createRoute({
  method: 'get',
  path: '/automations/{name}',
  tags,
  summary: 'Get an automation',
  middleware: [read],
  request: { params: NameParam },
  responses: { 200: jsonContent(AutomationViewSchema, 'The automation'), ...errorResponses },
});

const listVersions = createRoute({
  method: 'get',
  path: '/automations/{name}/versions',
  tags,
  summary: 'List the versions of an automation',
  middleware: [read],
  request: { params: NameParam },
  responses: { 200: jsonContent(z.object({ items: z.array(VersionViewSchema) }), 'Versions, oldest first'), ...errorResponses },
});

const getVersion = createRoute({
  method: 'get',
  path: '/automations/{name}/versions/{version}',
  tags,
  summary: 'Get one version of an automation',
  middleware: [read],
  request: {
    params: NameParam.extend({
      version: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).openapi({ type: 'integer', param: { name: 'version', in: 'path' } }),
    }),
  },
  responses: { 200: jsonContent(VersionViewSchema, 'The version'), ...errorResponses },
});

function statusRoute(action: 'pause' | 'resume' | 'archive' | 'unarchive') {
  return createRoute({
    method: 'post',
    path: `/automations/{name}/${action}`,
    tags,
    summary: `${action[0].toUpperCase()}${action.slice(1)} an automation`,
    middleware: [write],
    request: { params: NameParam },
    responses: { 200: jsonContent(AutomationViewSchema, 'The automation'), ...errorResponses },
  });
}

const STATUS_OF = { pause: AutomationStatus.paused, resume: AutomationStatus.active, archive: AutomationStatus.archived } as const;

/** PUT: the path names the automation; a body without `name` takes it from the path. */
function namedDefinition(raw: unknown, name: string): unknown {
  if (!isRecord(raw)) return raw;
  if (raw.name === undefined) return { ...raw, name };
  if (raw.name !== name) {
    throw new ValidationError(`the body's name must equal the path name "${name}"`, [
      { path: '$.name', message: `must equal "${name}" (the name in the path)` },
    ]);
  }
  return raw;
}

export function automationRoutes(rota: RotaService): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(withDefinitionBody(app, createAutomation), async (c) => {
    const result = await rota.automations.apply(c.var.workspaceId, c.var.body, { source: 'api', mustNotExist: true });
    return c.json(applied(result), 201);
  });
  app.openapi(withDefinitionBody(app, validateAutomation), async (c) => {
    // the same rules as the apply it stands for: `rota apply --dry-run` sends X-Rota-Source as apply does
    await rota.automations.validate(c.var.body, c.var.workspaceId, { source: c.req.header('x-rota-source') === 'file' ? 'file' : 'api' });
    return c.json({ valid: true as const }, 200);
  });
  app.openapi(withDefinitionBody(app, putAutomation), async (c) => {
    const name = c.req.param('name') as string;
    const raw = namedDefinition(c.var.body, name);
    // `rota apply -f` marks definitions that live in files; the API itself never edits those.
    const fromFile = c.req.header('x-rota-source') === 'file';
    const sourcePath = fromFile ? c.req.header('x-rota-source-path')?.slice(0, 1000) : undefined;
    const result = await rota.automations.apply(c.var.workspaceId, raw, fromFile ? { source: 'file', sourcePath } : { source: 'api' });
    return c.json(applied(result), result.created ? 201 : 200);
  });
  app.openapi(listAutomations, async (c) => {
    const { status, cursor, limit } = c.req.valid('query');
    return c.json(await rota.automations.list(c.var.workspaceId, { status, cursor: cursor ?? null, limit }), 200);
  });
  app.openapi(getAutomation, async (c) => c.json(await rota.automations.get(c.var.workspaceId, c.req.valid('param').name), 200));
  app.openapi(listVersions, async (c) => {
    const items = await rota.automations.versions(c.var.workspaceId, c.req.valid('param').name);
    return c.json({ items }, 200);
  });
  app.openapi(getVersion, async (c) => {
    const { name, version } = c.req.valid('param');
    return c.json(await rota.automations.version(c.var.workspaceId, name, version), 200);
  });
  for (const action of ['pause', 'resume', 'archive'] as const) {
    app.openapi(statusRoute(action), async (c) => {
      const view = await rota.automations.setStatus(c.var.workspaceId, c.req.valid('param').name, STATUS_OF[action]);
      return c.json(view, 200);
    });
  }
  app.openapi(statusRoute('unarchive'), async (c) => c.json(await rota.automations.unarchive(c.var.workspaceId, c.req.valid('param').name), 200));
  return app;
}
