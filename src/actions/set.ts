import type { ActionDefinition } from './types.js';

/**
 * `set`: computes values from templates; the output is `with:` itself, as the engine resolved it.
 *
 * @example
 * - id: vars
 *   action: set
 *   with: { title: "{{ inputs.repo }}#{{ inputs.number }}", urgent: true }
 * # later: {{ steps.vars.output.title }}
 */
export const setAction: ActionDefinition<Record<string, unknown>, Record<string, unknown>> = {
  type: 'set',
  description:
    'Computes values from templates: the output is the with: object exactly as resolved, ' +
    'so later steps read steps.<id>.output.<key>.',
  configSchema: { type: 'object' },
  outputSchema: { type: 'object' },
  handler: async (ctx) => ctx.config,
};
