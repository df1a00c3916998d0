import { WaitingFor } from '../states.js';
import { NonRetriableError } from '../errors.js';
import type { ActionContext, ActionDefinition, Suspension } from './types.js';
import { DURATION_PATTERN, parseDurationMs } from './parse-duration.js';

export type SleepConfig = { duration: string; until?: never } | { until: string; duration?: never };

export interface SleepOutput {
  slept_until: string;
}

interface SleepState {
  until: number;
}

function wakeTime(ctx: ActionContext<SleepConfig>): number {
  const { duration, until } = ctx.config;
  if ((duration === undefined) === (until === undefined)) {
    throw new NonRetriableError('sleep needs exactly one of duration or until');
  }
  if (duration !== undefined) return ctx.now() + parseDurationMs(duration, 'duration');
  const at = Date.parse(until as string);
  if (Number.isNaN(at)) throw new NonRetriableError(`until: "${until}" is not an RFC 3339 timestamp`);
  return at;
}

async function handler(ctx: ActionContext<SleepConfig>): Promise<SleepOutput | Suspension> {
  // The wake time is computed once and kept in the suspension state, so re-executions and
  // early wake-ups never extend the sleep.
  const state = ctx.state as SleepState | undefined;
  const until = state?.until ?? wakeTime(ctx);
  if (ctx.now() >= until) return { slept_until: new Date(until).toISOString() };
  return ctx.suspend(WaitingFor.sleep, until, { until } satisfies SleepState);
}

/**
 * `sleep`: waits durably (no worker slot held) for a duration or until a time.
 *
 * @example
 * - id: cool-down
 *   action: sleep
 *   with: { duration: 1h30m }
 */
export const sleepAction: ActionDefinition<SleepConfig, SleepOutput> = {
  type: 'sleep',
  description:
    'Waits durably, holding no worker slot, for a duration (e.g. 90s, 1h30m) or until an RFC 3339 ' +
    'time (exactly one of the two). A time in the past completes at once. Outputs {slept_until}.',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      duration: { type: 'string', pattern: DURATION_PATTERN },
      until: { type: 'string', format: 'date-time' },
    },
    oneOf: [{ required: ['duration'] }, { required: ['until'] }],
  },
  outputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['slept_until'],
    properties: { slept_until: { type: 'string', format: 'date-time' } },
  },
  handler,
};
