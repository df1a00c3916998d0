/**
 * zod schemas shared by the routes: they validate requests and, through @hono/zod-openapi, are the
 * OpenAPI document. Response schemas describe the views of engine/views.ts.
 */
import { z } from '@hono/zod-openapi';
import { NAME_PATTERN } from '../definition/schema.js';
import { AutomationStatus, PauseReason, RunStatus } from '../states.js';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not_found' }),
      message: z.string(),
      details: z.unknown().openapi({ description: 'e.g. [{path, message}] for validation errors' }),
    }),
  })
  .openapi('Error');

const errorContent = { content: { 'application/json': { schema: ErrorSchema } } };

/** The error responses every authenticated route may give. */
export const errorResponses = {
  400: { description: 'Invalid request', ...errorContent },
  401: { description: 'Missing, unknown or revoked token', ...errorContent },
  403: { description: 'The token lacks the scope', ...errorContent },
  404: { description: 'Not found (also: belongs to another workspace)', ...errorContent },
  413: { description: 'Body too large', ...errorContent },
} as const;

export function errorResponse(description: string) {
  return { description, ...errorContent };
}

export function jsonContent<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

export const NameParam = z.object({
  name: z
    .string()
    .regex(NAME_PATTERN, 'must match ^[a-z0-9][a-z0-9-]{0,62}$')
    .openapi({ param: { name: 'name', in: 'path' }, example: 'triage-new-issues' }),
});

export const RunIdParam = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/, 'must be a run id')
    .openapi({ param: { name: 'id', in: 'path' } }),
});

/** A page cursor is the key of the previous page's last row: an id (a ULID) or, for automations, a name. */
export const Cursor = z
  .string()
  .regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'must be the next_cursor of a previous page')
  .optional()
  .openapi({ description: 'next_cursor of the previous page' });
export const NameCursor = z.string().regex(NAME_PATTERN, 'must be the next_cursor of a previous page').optional().openapi({ description: 'next_cursor of the previous page' });
export const Limit = (max: number) => z.coerce.number().int().min(1).max(max).optional().openapi({ type: 'integer', description: `page size, at most ${max}` });

const statuses = Object.values(RunStatus).join('|');
export const StatusList = z
  .string()
  .regex(new RegExp(`^(${statuses})(,(${statuses}))*$`), `a comma list of ${Object.values(RunStatus).join(', ')}`);

const ErrorShape = z.object({
  code: z.string(),
  message: z.string(),
  step_id: z.string().optional(),
  retriable: z.boolean().optional(),
  details: z.unknown().optional(),
});

export const TriggerViewSchema = z.object({
  id: z.string(),
  type: z.string(),
  enabled: z.boolean(),
  next_fire_at: z.string().nullable(),
  last_fire_at: z.string().nullable(),
  endpoint_id: z.string().optional().openapi({ description: 'webhook triggers: the stable, unguessable endpoint id' }),
  webhook_path: z.string().optional().openapi({ description: 'webhook triggers: POST deliveries here', example: '/hooks/default/3q2-Xk...' }),
});

export const AutomationViewSchema = z
  .object({
    id: z.string(),
    workspace: z.string().openapi({ description: 'workspace name' }),
    workspace_id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    status: z.string().openapi({ enum: Object.values(AutomationStatus) }),
    paused: z
      .object({ reason: z.string().openapi({ enum: Object.values(PauseReason) }), at: z.string() })
      .nullable()
      .openapi({ description: 'why and when the automation was paused (manual, or circuit_breaker: execution.pause_after_failures); null unless paused' }),
    consecutive_failures: z.number().int().openapi({ description: 'failed or timed-out runs since the last success; canceled runs do not count' }),
    source: z.enum(['api', 'file']),
    source_path: z.string().nullable(),
    version: z.number().int(),
    definition: z.record(z.string(), z.unknown()),
    triggers: z.array(TriggerViewSchema),
    created_at: z.string(),
    updated_at: z.string(),
    saved_from_run: z.string().nullable().openapi({ description: 'the run whose realized plan the newest saved version froze (save-as-automation); null if never saved from a run' }),
  })
  .openapi('Automation');

export const VersionViewSchema = z
  .object({
    version: z.number().int(),
    hash: z.string(),
    created_at: z.string(),
    definition: z.record(z.string(), z.unknown()),
    saved_from_run: z.string().nullable().openapi({ description: 'the run this version froze (save-as-automation); null for an applied definition' }),
    freeze_report: z.record(z.string(), z.unknown()).nullable().openapi({ description: "that save's freezability report" }),
  })
  .openapi('Version');

export const StepViewSchema = z
  .object({
    id: z.string(),
    action: z.string(),
    status: z.string(),
    attempt: z.number().int(),
    started_at: z.string().nullable(),
    ended_at: z.string().nullable(),
    duration_ms: z.number().nullable(),
    input: z.unknown(),
    output: z.unknown(),
    error: ErrorShape.nullable(),
    logs: z.array(z.object({ at: z.string(), level: z.enum(['info', 'warn', 'error']), message: z.string(), data: z.unknown().optional() })),
    cost_usd: z.number(),
    waiting_for: z.string().nullable(),
    wake_at: z.string().nullable(),
    external_ref: z.unknown(),
    on_failure: z.boolean(),
    planned_by: z.string().nullable().openapi({ description: 'the planning step that produced this step in this run; null for a declared step' }),
    plans: z.boolean().openapi({ description: 'a planning step (agent with plan:): its output is the plan it made' }),
  })
  .openapi('Step');

export const RunViewSchema = z
  .object({
    id: z.string(),
    workspace: z.string().openapi({ description: 'workspace name' }),
    workspace_id: z.string(),
    automation: z.string(),
    automation_id: z.string(),
    version: z.number().int(),
    trigger_id: z.string(),
    trigger_kind: z.string(),
    activation: z.unknown(),
    idempotency_key: z.string().nullable(),
    inputs: z.record(z.string(), z.unknown()),
    status: z.string().openapi({ enum: Object.values(RunStatus) }),
    waiting_for: z.string().nullable(),
    skip_reason: z.string().nullable(),
    attempt: z.number().int(),
    queued_at: z.string(),
    started_at: z.string().nullable(),
    ended_at: z.string().nullable(),
    output: z.unknown(),
    error: ErrorShape.nullable(),
    cost_usd: z.number(),
    tokens: z.number(),
    parent_run_id: z.string().nullable(),
    retry_of: z.string().nullable(),
    replay_of: z.string().nullable(),
    pinned: z.boolean().openapi({ description: 'a pinned run is never pruned by retention' }),
    trace_id: z.string().nullable().openapi({ description: 'the OpenTelemetry trace id of the run (tracing on, or a caller\'s traceparent), else null' }),
    steps: z.array(StepViewSchema).optional(),
  })
  .openapi('Run');

export const RunEventViewSchema = z
  .object({ seq: z.number().int(), type: z.string(), step_id: z.string().nullable(), data: z.unknown(), created_at: z.string() })
  .openapi('RunEvent');

export const EventViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    data: z.unknown(),
    source: z.string(),
    created_at: z.string(),
    duplicate: z.boolean().optional(),
    runs: z
      .array(z.object({ automation: z.string(), trigger_id: z.string(), run_id: z.string(), status: z.string(), created: z.boolean() }))
      .optional()
      .openapi({ description: 'runs of the event triggers this event matched' }),
  })
  .openapi('Event');

export const TokenViewSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    workspace: z.string().nullable().openapi({ description: 'workspace name; null for an admin token' }),
    workspace_id: z.string().nullable(),
    scopes: z.array(z.string()),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
  })
  .openapi('Token');

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable(), total: z.number().int() });
}
