/**
 * The zod schema of a definition (SPEC §2, types.ts): its shape, and every check that needs only
 * one field (name and id patterns, durations, cron, timezone, RFC 3339 times, bounds).
 * Cross-field checks (references, cycles, templates, action configs) live in parse.ts.
 * Every object is strict (unknown keys are errors) except `metadata`.
 */
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration.js';
import { parseByteSize } from './byte-size.js';
import { checkCron, checkRfc3339, checkTimezone } from './schedule-fields.js';
import type { Definition } from './types.js';

export const NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Step ids: an id, or ids joined by dots — the namespace of steps a planning step produced (`research.fetch`). */
export const STEP_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,3}$/;

function checked(check: (value: string) => string | null) {
  return z.string().check((ctx) => {
    const message = check(ctx.value);
    if (message !== null) ctx.issues.push({ code: 'custom', message, input: ctx.value });
  });
}

function thrownMessage(parse: (value: string) => unknown) {
  return (value: string): string | null => {
    try {
      parse(value);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  };
}

// `.meta` carries what the JSON Schema (definition-json-schema.ts) can say of a checked string;
// the check itself stays the authority (croner, Intl and the calendar are only checked at apply).
const durationMeta = { pattern: DURATION_PATTERN, description: 'a duration: 500ms, 30s, 10m, 1h30m, 7d, 1w' };
const duration = checked(thrownMessage(parseDuration)).meta(durationMeta);
const durationAtLeastOneSecond = checked((value) => {
  const message = thrownMessage(parseDuration)(value);
  if (message !== null) return message;
  return parseDuration(value) < 1000 ? '`every` must be at least 1s' : null;
}).meta({ ...durationMeta, description: 'the interval, at least 1s: 30s, 10m, 1h' });
const cron = checked((value) => checkCron(value)).meta({ description: 'a cron pattern: 5 fields (6 with seconds) or a nickname such as @hourly', examples: ['0 9 * * 1-5', '@hourly'] });
const rfc3339 = checked(checkRfc3339).meta({ format: 'date-time', description: 'an RFC 3339 time with an offset, e.g. 2026-03-01T09:00:00Z' });
const timezone = checked(checkTimezone).meta({ description: 'an IANA time zone such as Europe/Berlin or UTC' });
const byteSize = checked(thrownMessage(parseByteSize)).meta({ pattern: '^\\s*[0-9]+\\s*([bB]|[kKmM][iI]?[bB])?\\s*$', description: 'a size: 512kb, 1mb (binary multiples)' });

const name = z.string().regex(NAME_PATTERN, 'must match ^[a-z0-9][a-z0-9-]{0,62}$ (lowercase letters, digits, dashes)');
const id = z.string().regex(ID_PATTERN, 'must match ^[A-Za-z0-9_-]{1,64}$');
const stepId = z.string().regex(STEP_ID_PATTERN, 'must match ^[A-Za-z0-9_-]{1,64}$ (dots only join the namespace of planned steps: research.fetch)');
const overlap = z.enum(['skip', 'queue', 'allow', 'cancel_previous']);
const filter = z.record(z.string(), z.unknown());
const jsonObject = z.record(z.string(), z.unknown());

export const retryPolicySchema = z.strictObject({
  max_retries: z.int().min(0).max(100).optional(),
  backoff: z.enum(['exponential', 'fixed', 'linear']).optional(),
  base_delay: duration.optional(),
  max_delay: duration.optional(),
  jitter: z.boolean().optional(),
});

export const stepSchema = z.strictObject({
  id: stepId,
  name: z.string().max(200).optional(),
  action: z.string().min(1),
  with: jsonObject.optional(),
  needs: z.array(stepId).optional(),
  if: filter.optional(),
  retry: retryPolicySchema.optional(),
  timeout: duration.optional(),
  continue_on_error: z.boolean().optional(),
}).meta({ id: 'step' });

const fireLimit = z.strictObject({ max: z.int().min(1).max(1_000_000), window: duration });

const triggerBase = {
  id,
  enabled: z.boolean().optional(),
  filter: filter.optional(),
  inputs: jsonObject.optional(),
  fire_limit: fireLimit.optional(),
};

const scheduleTrigger = z.strictObject({
  ...triggerBase,
  type: z.literal('schedule'),
  cron: cron.optional(),
  every: durationAtLeastOneSecond.optional(),
  anchor: rfc3339.optional(),
  at: rfc3339.optional(),
  timezone: timezone.optional(),
  catch_up: z.enum(['skip_missed', 'coalesce', 'replay']).optional(),
  max_catch_up: z.int().min(1).max(10_000).optional(),
  misfire_grace: duration.optional(),
  jitter: duration.optional(),
  overlap: overlap.optional(),
  /** required when a step of the automation still plans at run time (a schedule would re-plan on every fire) */
  allow_replan: z.boolean().optional(),
});

const secretRef = z.union([
  z.string().min(1).max(1000),
  z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name') }),
  // what a stored definition holds instead of a literal (see triggers/secrets.ts)
  z.strictObject({ secret_ref: z.string().regex(/^sec_[A-Za-z0-9]{1,60}$/, 'must be a secret reference returned by Rota') }),
]);

const webhookTrigger = z.strictObject({
  ...triggerBase,
  type: z.literal('webhook'),
  verify: z.strictObject({
    scheme: z.enum(['standard', 'github', 'hmac', 'token', 'none']),
    secret: secretRef.optional(),
    header: z.string().min(1).optional(),
    timestamp_header: z.string().min(1).optional(),
    delivery_id_header: z.string().min(1).optional(),
  }),
  max_body: byteSize.optional(),
  overlap: overlap.optional(),
});

const eventTrigger = z.strictObject({
  ...triggerBase,
  type: z.literal('event'),
  name: z.string().regex(/^[^\s]{1,200}$/, 'must be an event name without spaces, e.g. invoice.overdue or issue.*'),
  overlap: overlap.optional(),
});

const manualTrigger = z.strictObject({ ...triggerBase, type: z.literal('manual') });

export const triggerSchema = z.discriminatedUnion('type', [scheduleTrigger, webhookTrigger, eventTrigger, manualTrigger]);

export const executionSchema = z.strictObject({
  timeout: duration.optional(),
  concurrency: z.int().min(1).max(10_000).optional(),
  concurrency_key: z.string().min(1).max(500).optional(),
  overlap: overlap.optional(),
  fire_limit: fireLimit.optional(),
  budget: z
    .strictObject({
      max_cost_usd: z.number().positive().optional(),
      max_tokens: z.int().min(1).optional(),
      on_exceed: z.enum(['fail', 'approval']).optional(),
      per_day: z.strictObject({ max_cost_usd: z.number().positive().optional(), max_tokens: z.int().min(1).optional() }).optional(),
    })
    .optional(),
  retry: retryPolicySchema.optional(),
  on_failure: z.array(stepSchema).optional(),
  retention: z
    .strictObject({ max_age: duration.optional(), max_runs: z.int().min(0).optional(), keep_failed: duration.optional() })
    .optional(),
  pause_after_failures: z.int().min(1).max(10_000).optional(),
});

export const definitionSchema: z.ZodType<Definition> = z.strictObject({
  name,
  description: z.string().max(2000).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  inputs: jsonObject.optional(),
  triggers: z.array(triggerSchema).optional(),
  steps: z.array(stepSchema).min(1),
  execution: executionSchema.optional(),
});
