/** `POST /runs/{id}/save-as-automation`: a succeeded run's realized plan frozen into an automation (SPEC §6). */
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { RotaService } from '../../node/service.js';
import { Scope } from '../../states.js';
import type { ApiEnv } from '../api-env.js';
import { requireScope } from '../auth.js';
import { jsonBody } from '../body.js';
import { AutomationViewSchema, RunIdParam, errorResponse, errorResponses, jsonContent } from '../schemas.js';

const SavedInputSchema = z
  .strictObject({
    name: z.string().max(64).openapi({ description: 'matches [A-Za-z0-9_-]+; used as {{ inputs.NAME }} in text fields of the saved steps' }),
    description: z.string().max(2000).optional(),
    required: z.boolean().optional().openapi({ description: 'default false; an optional input without default takes the source run\'s value' }),
    default: z.unknown().optional(),
    type: z.enum(['string', 'number', 'integer', 'boolean']).optional().openapi({ description: "default: the source automation's type for this input, else string" }),
  })
  .openapi('SavedInput');

const SaveRunRequestSchema = z
  .strictObject({
    name: z.string().max(63).openapi({ description: 'the automation to create, or to give a new version' }),
    description: z.string().max(2000).optional(),
    inputs: z.array(SavedInputSchema).max(100).optional(),
    keep_planning: z.array(z.string().max(200)).max(100).optional().openapi({ description: 'planning steps that keep planning at run time (a partially frozen automation)' }),
    literal: z.array(z.string().max(64)).max(100).optional().openapi({ description: "inputs of the source automation frozen to the source run's value" }),
    triggers: z.array(z.record(z.string(), z.unknown())).max(100).optional().openapi({ description: "the saved automation's triggers (as in a definition); default: an existing automation's own, none for a new one" }),
    dry_run: z.boolean().optional().openapi({ description: 'report what the save would do; write nothing' }),
  })
  .openapi('SaveRunRequest');

const FreezeReportSchema = z
  .object({
    source_run: z.string(),
    frozen: z.array(z.object({ step: z.string(), steps: z.array(z.string()) })).openapi({ description: 'planning steps replaced by the steps they produced' }),
    still_planning: z.array(z.object({ step: z.string(), reason: z.string() })).openapi({ description: 'planning steps that plan again at run time' }),
    partially_frozen: z.boolean(),
    literals: z.array(z.object({ path: z.string(), value: z.unknown(), reason: z.string() })).openapi({ description: 'values taken as they were in the source run' }),
    inputs: z.array(
      z.object({ name: z.string(), type: z.string(), required: z.boolean(), default: z.unknown().optional(), description: z.string().optional(), used_at: z.array(z.string()) }),
    ),
    warnings: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).openapi({ description: "where the source run's course depended on what it found" }),
    triggers: z.array(z.string()),
  })
  .openapi('FreezeReport');

export const SaveRunResultSchema = z
  .object({
    dry_run: z.boolean(),
    automation: AutomationViewSchema.nullable().openapi({ description: 'the saved automation; null on a dry run' }),
    created: z.boolean(),
    changed: z.boolean().openapi({ description: 'false when the latest version already was this definition' }),
    definition: z.record(z.string(), z.unknown()),
    report: FreezeReportSchema,
    warnings: z.array(z.object({ path: z.string(), message: z.string() })),
  })
  .openapi('SaveRunResult');

const saveRun = createRoute({
  method: 'post',
  path: '/runs/{id}/save-as-automation',
  tags: ['runs'],
  operationId: 'saveRunAsAutomation',
  summary: "Freeze a succeeded run's realized plan into an automation (or a new version of one)",
  description:
    'Planning steps are replaced by the steps they produced (keep_planning: stay planning); their settings and order are kept. ' +
    '{{ inputs.NAME }} placeholders may appear only in text fields (agent prompt and system, approval message and details, delegate task); ' +
    'every placeholder must be declared in inputs and every declared input used. Problems are a 400 with paths into the saved ' +
    'definition ($.steps[i]...) or into this request ($.inputs[i]...). A schedule on a partially frozen automation needs allow_replan: true.',
  middleware: [requireScope(Scope.runs_read), requireScope(Scope.automations_write), jsonBody],
  request: { params: RunIdParam, body: { required: true, content: { 'application/json': { schema: SaveRunRequestSchema } } } },
  responses: {
    200: jsonContent(SaveRunResultSchema, 'Saved as a new version, unchanged, or (dry_run) what would be saved'),
    201: jsonContent(SaveRunResultSchema, 'A new automation was created'),
    ...errorResponses,
    409: errorResponse('The run did not succeed, has no planning step, or the automation is not editable'),
  },
});

export function saveRunRoutes(rota: RotaService): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>();
  app.openapi(saveRun, async (c) => {
    const body = c.req.valid('json');
    const { triggers, ...rest } = body;
    const request = triggers === undefined ? rest : { ...rest, triggers: triggers as never };
    const result = await rota.runs.saveAsAutomation(c.var.workspaceId, c.req.valid('param').id, request);
    return c.json(result as never, result.created ? 201 : 200);
  });
  return app;
}
