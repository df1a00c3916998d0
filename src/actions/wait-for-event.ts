import { EventWaitStatus, WaitingFor } from '../states.js';
import { ErrorCode, NonRetriableError } from '../errors.js';
import { validateFilter } from '../definition/filter.js';
import { appendPath } from '../definition/json-path.js';
import { EVENT_PATTERN_REGEX } from '../definition/event-pattern.js';
import type { ActionContext, ActionDefinition, EventWaitState, Suspension } from './types.js';
import { DURATION_PATTERN, parseDurationMs } from './parse-duration.js';

export interface WaitForEventConfig {
  name: string;
  filter?: Record<string, unknown>;
  timeout?: string;
  on_timeout?: 'fail' | 'continue';
}

export interface WaitForEventOutput {
  id: string | null;
  name: string | null;
  data: unknown;
  source: string | null;
  created_at: string | null;
  /** true when the timeout passed with on_timeout: continue */
  timed_out: boolean;
}

/** Roots a wait_for_event filter may address: the event's fields. */
export const EVENT_FILTER_ROOTS = ['name', 'data', 'source', 'id'];

async function handler(ctx: ActionContext<WaitForEventConfig>): Promise<WaitForEventOutput | Suspension> {
  const { waitForEvent, getEventWait } = ctx.services;
  if (!waitForEvent || !getEventWait) throw new NonRetriableError('wait_for_event is not available on this node');
  const { name, filter, timeout, on_timeout = 'fail' } = ctx.config;
  // Registered once per step: a re-executed step keeps its wait, its expiry and any match.
  const wait: EventWaitState | null =
    ctx.state === undefined
      ? await waitForEvent({ name, filter, expiresAt: timeout === undefined ? null : ctx.now() + parseDurationMs(timeout, 'timeout') })
      : await getEventWait();
  if (!wait) throw new NonRetriableError('the event wait of this step no longer exists');
  if (wait.state === EventWaitStatus.matched) return { ...(wait.event as Omit<WaitForEventOutput, 'timed_out'>), timed_out: false };
  if (wait.expiresAt !== null && ctx.now() >= wait.expiresAt) {
    if (on_timeout === 'continue') return { id: null, name: null, data: null, source: null, created_at: null, timed_out: true };
    throw new NonRetriableError(`no event "${name}" matched within ${timeout}`, { code: ErrorCode.event_timeout, details: { name, filter: filter ?? null } });
  }
  return ctx.suspend(WaitingFor.event, wait.expiresAt, { waiting: true });
}

/**
 * `wait_for_event`: waits, holding no worker slot, for an event published in the workspace after
 * the step started.
 *
 * @example
 * - id: paid
 *   action: wait_for_event
 *   with:
 *     name: invoice.paid
 *     filter: { "data.invoice_id": "{{ steps.create.output.body.id }}" }
 *     timeout: 7d
 * # {{ steps.paid.output.data }} is the event's data
 */
export const waitForEventAction: ActionDefinition<WaitForEventConfig, WaitForEventOutput> = {
  type: 'wait_for_event',
  description:
    'Waits, holding no worker slot, for an event published in the workspace (API, CLI, or emitted by a ' +
    'run) after the step started, whose name matches `name` (exact, `*` for one dot-separated segment: ' +
    'order.*, `**` for one or more: order.**) and whose fields match `filter` (paths under data, name, ' +
    'source, id). Outputs the event ' +
    '{id, name, data, source, created_at, timed_out: false}. After `timeout` the step fails with ' +
    'event_timeout, or with on_timeout: continue outputs nulls and timed_out: true.',
  configSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: EVENT_PATTERN_REGEX },
      filter: { type: 'object', description: 'A filter ({path: value} pairs and $eq, $in, ... operators, as in trigger filters) over {name, data, source, id}' },
      timeout: { type: 'string', pattern: DURATION_PATTERN },
      on_timeout: { enum: ['fail', 'continue'], default: 'fail' },
    },
  },
  outputSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'name', 'data', 'source', 'created_at', 'timed_out'],
    properties: {
      id: { type: ['string', 'null'] },
      name: { type: ['string', 'null'] },
      data: {},
      source: { type: ['string', 'null'] },
      created_at: { type: ['string', 'null'] },
      timed_out: { type: 'boolean' },
    },
  },
  // filter roots and operators are checked when the definition is saved, not first at run time
  checkConfig: (config, path) => (config.filter === undefined ? [] : validateFilter(config.filter, appendPath(path, 'filter'), EVENT_FILTER_ROOTS)),
  handler,
};
