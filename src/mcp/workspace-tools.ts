/** Tools over approvals, events, costs and the catalog of actions. */
import { z } from 'zod';
import type { ApprovalView, RotaClient } from '../client/index.js';
import { Scope } from '../states.js';
import { defineTool, type RotaTool } from './tool.js';

const Approval = z.object({
  approval_id: z.string(),
  run_id: z.string(),
  step_id: z.string(),
  automation: z.string(),
  kind: z.string().describe('step (an approval step), tool_call (an agent tool call: details hold its arguments) or budget'),
  key: z.string(),
  message: z.string(),
  details: z.unknown().describe('what is to be approved, exactly: the step details or the tool-call arguments'),
  state: z.string(),
  outcome: z.string().nullable(),
  approvals: z.number(),
  min_approvals: z.number(),
  expires_at: z.string().nullable(),
  on_timeout: z.unknown(),
  decisions: z.array(z.unknown()),
});

function approval(a: ApprovalView): z.infer<typeof Approval> {
  return {
    approval_id: a.id,
    run_id: a.run_id,
    step_id: a.step_id,
    automation: a.automation,
    kind: a.kind,
    key: a.key,
    message: a.message,
    details: a.details ?? null,
    state: a.state,
    outcome: a.outcome,
    approvals: a.approvals,
    min_approvals: a.min_approvals,
    expires_at: a.expires_at,
    on_timeout: a.on_timeout,
    decisions: a.decisions,
  };
}

const listApprovals = defineTool({
  name: 'list_approvals',
  title: 'List approvals',
  description: 'Approvals waiting for a decision (state pending by default), newest first, each with its exact details or the tool-call arguments to approve.',
  scope: Scope.runs_read,
  writes: false,
  input: {
    state: z.enum(['pending', 'approved', 'rejected', 'aborted', 'expired', 'any']).optional().describe('default pending; any: every state'),
    run_id: z.string().max(100).optional().describe('only approvals of this run'),
    cursor: z.string().optional(),
    limit: z.number().int().min(1).max(200).optional().describe('page size, default 20'),
  },
  output: { approvals: z.array(Approval), next_cursor: z.string().nullable() },
  async run(client, args) {
    const state = args.state === 'any' ? undefined : (args.state ?? 'pending');
    const page = await client.approvals.list({ state, run_id: args.run_id, cursor: args.cursor, limit: args.limit ?? 20 });
    const approvals = page.items.map(approval);
    const lines = approvals.map((a) => `${a.approval_id} ${a.state} run ${a.run_id} step ${a.step_id}: ${a.message} ${JSON.stringify(a.details)}`);
    return { structured: { approvals, next_cursor: page.next_cursor ?? null }, text: approvals.length === 0 ? 'no approvals' : lines.join('\n') };
  },
});

const decideApproval = defineTool({
  name: 'decide_approval',
  title: 'Decide an approval',
  description:
    'Approves (optionally with an edited value, e.g. corrected tool-call arguments), rejects, or aborts (ends the run) a pending approval, with a comment. Repeating your own decision answers unchanged.',
  scope: Scope.approvals_write,
  writes: true,
  input: {
    approval_id: z.string().min(1).max(100),
    decision: z.enum(['approve', 'reject', 'abort']),
    value: z.unknown().optional().describe('approve only: the edited value the run continues with'),
    comment: z.string().max(2000).optional(),
  },
  output: { approval: Approval },
  async run(client, args) {
    const a = await client.approvals.decide(args.approval_id, args.decision, { value: args.value, comment: args.comment });
    return { structured: { approval: approval(a) }, text: `approval ${a.id} is ${a.state}${a.outcome ? ` (${a.outcome})` : ''}; run ${a.run_id} continues (get_run or wait_for_run)` };
  },
});

const publishEvent = defineTool({
  name: 'publish_event',
  title: 'Publish an event',
  description: 'Publishes an event into the workspace: it starts the runs of matching event triggers and wakes runs waiting for it. An id seen before is not published again.',
  scope: Scope.events_write,
  writes: true,
  input: {
    name: z.string().min(1).max(200).describe('event name, e.g. order.created'),
    data: z.unknown().optional().describe('event data (JSON)'),
    id: z.string().min(1).max(200).optional().describe('dedupe key'),
  },
  output: {
    event_id: z.string(),
    name: z.string(),
    duplicate: z.boolean(),
    runs: z.array(z.object({ run_id: z.string(), automation: z.string(), trigger_id: z.string(), status: z.string(), created: z.boolean() })),
  },
  async run(client, args) {
    const e = await client.events.emit(args.name, { data: args.data, id: args.id });
    const runs = (e.runs ?? []).map((r) => ({ ...r }));
    const text = `event ${e.id} ${e.name} ${e.duplicate ? 'was published before (duplicate id)' : 'published'}; ${runs.length} run(s) started`;
    return { structured: { event_id: e.id, name: e.name, duplicate: e.duplicate === true, runs }, text };
  },
});

const Day = z.object({ day: z.string(), cost_usd: z.number(), tokens: z.number(), model_calls: z.number() });
const Costs = z.object({ automation: z.string(), since: z.string(), cost_usd: z.number(), tokens: z.number(), model_calls: z.number(), days: z.array(Day) });

const getCosts = defineTool({
  name: 'get_costs',
  title: 'Agent costs',
  description: "Cost (USD) and tokens of agent model calls per automation and UTC day, today included; one automation, or every automation of the workspace.",
  scope: Scope.runs_read,
  writes: false,
  input: {
    automation: z.string().max(63).optional().describe('one automation (default: all of them)'),
    days: z.number().int().min(1).max(366).optional().describe('how many UTC days back, default 30'),
  },
  output: { automations: z.array(Costs), total_cost_usd: z.number(), total_tokens: z.number() },
  async run(client, args) {
    const names = args.automation ? [args.automation] : await allAutomationNames(client);
    const automations = [];
    for (const name of names) automations.push(await client.automations.costs(name, { days: args.days }));
    const total_cost_usd = automations.reduce((sum, a) => sum + a.cost_usd, 0);
    const total_tokens = automations.reduce((sum, a) => sum + a.tokens, 0);
    const lines = automations.map((a) => `${a.automation}: $${a.cost_usd.toFixed(4)}, ${a.tokens} tokens, ${a.model_calls} model calls`);
    return { structured: { automations, total_cost_usd, total_tokens }, text: `${lines.join('\n')}\ntotal: $${total_cost_usd.toFixed(4)}, ${total_tokens} tokens` };
  },
});

async function allAutomationNames(client: RotaClient): Promise<string[]> {
  const names: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await client.automations.list({ cursor, limit: 200 });
    names.push(...page.items.map((a) => a.name));
    cursor = page.next_cursor;
  } while (cursor);
  return names;
}

/** The API answers snake_case (`config_schema`); the client's declared type is the registry's camelCase. */
interface CatalogAction {
  type: string;
  description: string;
  config_schema?: unknown;
  output_schema?: unknown;
}

const listActions = defineTool({
  name: 'list_actions',
  title: 'List actions',
  description: 'The actions steps may use (`action:`), with the JSON Schemas of their config (`with:`) and output when include_schemas is true. The same catalog is the resource rota://catalog/actions.',
  scope: null,
  writes: false,
  input: {
    include_schemas: z.boolean().optional().describe('include config_schema and output_schema, default false'),
    type: z.string().max(100).optional().describe('only this action'),
  },
  output: { actions: z.array(z.object({ type: z.string(), description: z.string(), config_schema: z.unknown().optional(), output_schema: z.unknown().optional() })) },
  async run(client, args) {
    const all = (await client.catalog.actions()) as unknown as CatalogAction[];
    const chosen = args.type ? all.filter((a) => a.type === args.type) : all;
    const actions = chosen.map((a) =>
      args.include_schemas || args.type ? { type: a.type, description: a.description, config_schema: a.config_schema ?? null, output_schema: a.output_schema ?? null } : { type: a.type, description: a.description },
    );
    const text = actions.length === 0 ? `no action "${args.type}"; call list_actions without type` : actions.map((a) => `${a.type}: ${a.description}`).join('\n');
    return { structured: { actions }, text };
  },
});

export const workspaceTools: RotaTool[] = [listApprovals, decideApproval, publishEvent, getCosts, listActions];
