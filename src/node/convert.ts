/** Row → view conversions, one place per table. */
import { runPlan } from '../engine/run-plan.js';
import type { FreezeReport } from '../definition/freeze.js';
import { isPlanningStep } from '../definition/planning.js';
import { AutomationStatus, TriggerKind } from '../states.js';
import { iso } from '../time.js';
import type { AutomationRow, TriggerRow, VersionRow } from '../store/automations.js';
import type { RunEventRow, RunRow, StepRow } from '../store/runs.js';
import type { EventRow } from '../store/events.js';
import type { TokenRow } from '../store/tokens.js';
import { fromJson } from '../store/json.js';
import type { Definition, Plan } from '../definition/types.js';
import type { AutomationView, EventView, Workspace, RunEventView, RunView, StepView, TokenView, TriggerView, VersionView } from './views.js';


export function automationView(row: AutomationRow, workspace: string, definition: Definition, triggers: TriggerRow[]): AutomationView {
  return {
    id: row.id,
    workspace,
    workspace_id: row.workspace_id,
    name: row.name,
    description: row.description,
    status: row.status,
    paused: row.status === AutomationStatus.paused && row.paused_reason ? { reason: row.paused_reason, at: iso(row.paused_at ?? row.updated_at)! } : null,
    consecutive_failures: row.consecutive_failures,
    source: row.source as 'api' | 'file',
    source_path: row.source_path,
    version: row.latest_version,
    definition,
    triggers: triggers.map((t) => triggerView(t, workspace)),
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
    saved_from_run: null,
  };
}

export function triggerView(row: TriggerRow, workspace?: string): TriggerView {
  const view: TriggerView = { id: row.trigger_id, type: row.type, enabled: row.enabled === 1, next_fire_at: iso(row.next_fire_at), last_fire_at: iso(row.last_fire_at) };
  if (row.type === TriggerKind.webhook && row.endpoint_id) {
    view.endpoint_id = row.endpoint_id;
    if (workspace !== undefined) view.webhook_path = `/hooks/${encodeURIComponent(workspace)}/${row.endpoint_id}`;
  }
  return view;
}

export function versionView(row: VersionRow): VersionView {
  return {
    version: row.version,
    hash: row.hash,
    created_at: iso(row.created_at)!,
    definition: JSON.parse(row.definition),
    saved_from_run: row.saved_from_run ?? null,
    freeze_report: row.freeze_report ? (JSON.parse(row.freeze_report) as FreezeReport) : null,
  };
}

/** The stored activation names the workspace by id; views show name and id like everywhere else. */
function activationView(raw: unknown, workspace: Workspace): unknown {
  if (raw === null || typeof raw !== 'object' || !('workspace' in raw)) return raw;
  return { ...raw, workspace: workspace.name, workspace_id: workspace.id };
}

export function runView(row: RunRow, workspace: Workspace, steps?: StepRow[], plan?: Plan): RunView {
  const view: RunView = {
    id: row.id,
    workspace: workspace.name,
    workspace_id: workspace.id,
    automation: row.automation_name,
    automation_id: row.automation_id,
    version: row.version,
    trigger_id: row.trigger_id,
    trigger_kind: row.trigger_kind,
    activation: activationView(fromJson(row.activation), workspace),
    idempotency_key: row.idempotency_key,
    inputs: fromJson(row.inputs) ?? {},
    status: row.status,
    waiting_for: row.waiting_for,
    skip_reason: row.skip_reason,
    attempt: row.attempt,
    queued_at: iso(row.queued_at)!,
    started_at: iso(row.started_at),
    ended_at: iso(row.ended_at),
    output: fromJson(row.output),
    error: fromJson(row.error),
    cost_usd: Number(row.cost_usd),
    tokens: Number(row.tokens),
    parent_run_id: row.parent_run_id,
    retry_of: row.retry_of,
    replay_of: row.replay_of,
    pinned: Number(row.pinned) === 1,
    trace_id: traceIdOf(row.traceparent),
  };
  if (steps) {
    // the run's plan: what its planning steps planned joins the version's plan
    const effective = plan ? runPlan(plan, new Map(steps.map((s) => [s.step_id, s]))) : undefined;
    view.steps = steps.map((s) => stepView(s, effective));
  }
  return view;
}

export function stepView(row: StepRow, plan?: Plan): StepView {
  const planStep = plan?.steps.find((s) => s.id === row.step_id) ?? plan?.onFailure.find((s) => s.id === row.step_id);
  return {
    id: row.step_id,
    action: planStep?.action ?? '',
    status: row.status,
    attempt: row.attempt,
    started_at: iso(row.started_at),
    ended_at: iso(row.ended_at),
    duration_ms: row.started_at !== null && row.ended_at !== null ? Number(row.ended_at) - Number(row.started_at) : null,
    input: fromJson(row.input),
    output: fromJson(row.output),
    error: fromJson(row.error),
    logs: fromJson(row.logs) ?? [],
    cost_usd: Number(row.cost_usd),
    waiting_for: row.waiting_for,
    wake_at: iso(row.wake_at),
    external_ref: fromJson(row.external_ref),
    on_failure: planStep?.onFailure ?? false,
    planned_by: planStep?.plannedBy ?? null,
    plans: planStep !== undefined && isPlanningStep(planStep),
  };
}

export function runEventView(row: RunEventRow): RunEventView {
  return { seq: row.seq, type: row.type, step_id: row.step_id, data: fromJson(row.data), created_at: iso(row.created_at)! };
}

export function eventView(row: EventRow, duplicate?: boolean): EventView {
  const view: EventView = { id: row.id, name: row.name, data: fromJson(row.data), source: row.source, created_at: iso(row.created_at)! };
  if (duplicate !== undefined) view.duplicate = duplicate;
  return view;
}

export function tokenView(row: TokenRow, workspace: string | null): TokenView {
  return {
    id: row.id,
    name: row.name,
    workspace,
    workspace_id: row.workspace_id,
    scopes: JSON.parse(row.scopes),
    created_at: iso(row.created_at)!,
    last_used_at: iso(row.last_used_at),
    revoked_at: iso(row.revoked_at),
  };
}

/** The W3C trace id of a run's stored traceparent (`00-<trace id>-<span id>-<flags>`), or null. */
function traceIdOf(traceparent: string | null | undefined): string | null {
  const id = traceparent?.split('-')[1];
  return id && /^[0-9a-f]{32}$/.test(id) ? id : null;
}
