import { NonRetriableError } from '../errors.js';
import type { ActionContext, ActionDefinition } from './types.js';

export interface EmitEventConfig {
  name: string;
  data?: unknown;
  id?: string;
}

export interface EmitEventOutput {
  id: string;
  duplicate: boolean;
}

const NAME_PATTERN = '^[a-z0-9_.-]+$';

async function handler(ctx: ActionContext<EmitEventConfig>): Promise<EmitEventOutput> {
  const { name, data, id } = ctx.config;
  if (!new RegExp(NAME_PATTERN).test(name)) {
    throw new NonRetriableError(`name: "${name}" is not an event name (lowercase letters, digits, _ . -)`);
  }
  // One id per step, not per attempt: a re-executed or retried step must not publish twice.
  const eventId = id ?? `${ctx.run.id}:${ctx.step.id}`;
  const result = await ctx.services.emitEvent({ name, data, id: eventId });
  ctx.log.info(`emitted ${name}${result.duplicate ? ' (duplicate, already published)' : ''}`);
  return result;
}

/**
 * `emit_event`: publishes an event into the run's workspace (it may start other automations).
 *
 * @example
 * - id: notify
 *   action: emit_event
 *   with: { name: invoice.sent, data: { invoice: "{{ inputs.id }}" } }
 */
export const emitEventAction: ActionDefinition<EmitEventConfig, EmitEventOutput> = {
  type: 'emit_event',
  description:
    'Publishes an event {name, data} into the workspace, where event triggers match it. The event ' +
    'id defaults to <run id>:<step id>, so a re-executed step does not publish twice; outputs {id, duplicate}.',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: NAME_PATTERN, maxLength: 200 },
      data: {},
      id: { type: 'string', minLength: 1, maxLength: 200, description: 'Deduplication id' },
    },
  },
  outputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'duplicate'],
    properties: { id: { type: 'string' }, duplicate: { type: 'boolean' } },
  },
  handler,
};
