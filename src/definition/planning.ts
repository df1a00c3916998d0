/**
 * Planning steps (SPEC §6): an `agent` step with `plan: {allow, max_steps}` (or `plan: true`)
 * answers with a list of steps, which join the run's plan under the planning step's namespace.
 *
 * - {@link checkPlannedSteps} validates a planner's answer exactly like definition steps (shape,
 *   ids, needs, cycles, actions and their `with:`, templates, `if:`), restricted to the allowlist,
 *   every problem with its path in the answer (`$.steps[2].with.url`);
 * - {@link joinPlannedSteps} turns an accepted answer into the steps the run executes: ids become
 *   `planner.id`, needs are explicit (the first steps need the planner), and references to
 *   sibling steps are rewritten to their full ids (`{{ steps["research.fetch"].output }}`);
 * - {@link checkPlanningSteps} holds a definition's planning steps to the rules that need the
 *   action registry or the triggers (known actions in `allow`, no planning `on_failure` step, a
 *   schedule only with `allow_replan: true`).
 */
import type { ActionDefinition, StepPlanning } from '../actions/types.js';
import type { ErrorDetail } from '../errors.js';
import { checkNeeds, checkStep, checkStepIds, collectSteps, upstreamSets, type StepCheckContext } from './check-steps.js';
import { collectFilterPaths, mapFilterPaths, type PathSegment } from './filter.js';
import { isRecord } from './json-path.js';
import type { InputsInfo } from './references.js';
import { ID_PATTERN, stepSchema } from './schema.js';
import { findTemplateReferences, hasTemplate, rewriteTemplates } from './template.js';
import type { StepDef } from './types.js';
import { zodProblems } from './zod-problems.js';

/** `plan: true`: actions that act only inside Rota (no network, no processes, no other automations). */
export const DEFAULT_PLAN_ALLOW = ['agent', 'set', 'approval'] as const;
export const DEFAULT_PLAN_MAX_STEPS = 10;
export const MAX_PLAN_STEPS = 50;
/** Step ids have at most 4 dot-separated segments, so plans nest at most 3 deep. */
export const MAX_ID_SEGMENTS = 4;

export interface PlanSpec {
  allow: string[];
  maxSteps: number;
}

/** JSON Schema of the agent step's `plan` key. */
export const planConfigSchema = {
  description: 'makes this agent step a planning step: its answer is a list of steps the run then executes',
  oneOf: [
    { const: true, description: `plan with the default allowlist (${DEFAULT_PLAN_ALLOW.join(', ')}) and at most ${DEFAULT_PLAN_MAX_STEPS} steps` },
    {
      type: 'object',
      properties: {
        allow: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, minItems: 1, description: 'the actions planned steps may use' },
        max_steps: { type: 'integer', minimum: 1, maximum: MAX_PLAN_STEPS, default: DEFAULT_PLAN_MAX_STEPS },
      },
      additionalProperties: false,
    },
  ],
};

/** The shape of a planner's final answer; its steps are then checked by {@link checkPlannedSteps}. */
export const planAnswerSchema = {
  type: 'object',
  properties: { steps: { type: 'array', items: { type: 'object' } }, summary: { type: 'string', maxLength: 2000 } },
  required: ['steps'],
  additionalProperties: false,
};

/** The plan settings of a step's `with:`, or null when it does not plan. */
export function planSpecOf(config: unknown): PlanSpec | null {
  if (!isRecord(config)) return null;
  const plan = config.plan;
  if (plan === true) return { allow: [...DEFAULT_PLAN_ALLOW], maxSteps: DEFAULT_PLAN_MAX_STEPS };
  if (!isRecord(plan)) return null;
  const allow = Array.isArray(plan.allow) ? plan.allow.filter((a): a is string => typeof a === 'string') : [...DEFAULT_PLAN_ALLOW];
  return { allow, maxSteps: typeof plan.max_steps === 'number' ? plan.max_steps : DEFAULT_PLAN_MAX_STEPS };
}

export function isPlanningStep(step: { action?: unknown; with?: unknown }): boolean {
  return step.action === 'agent' && planSpecOf(step.with) !== null;
}

export type ActionLookup = (type: string) => ActionDefinition | undefined;

/** What a planner's answer is checked against: where in the run the planning step stands. */
export interface PlanningScope {
  /** the planning step's id */
  planner: string;
  spec: PlanSpec;
  /** steps upstream of the planning step: what planned steps may read besides each other */
  upstream: string[];
  /** every step id of the run's plan, for the messages about steps that are not upstream */
  runSteps: string[];
  inputs: InputsInfo;
  /** the planning step's own tools: planned agent steps may use these only */
  tools: string[];
  /** the planning step's `require_approval_for`: planned agent steps that list such a tool ask too */
  approvals?: string[];
  /** the planning step's `budget`: planned agent steps take it, and may not set more */
  budget?: { max_cost_usd?: number; max_tokens?: number; on_exceed?: 'fail' | 'approval' };
  lookup: ActionLookup;
}

/** What the planning step's action gets as `ActionContext.planning`. */
export function stepPlanning(scope: PlanningScope): StepPlanning {
  return {
    planner: scope.planner,
    check: (steps) => checkPlannedSteps(steps, scope),
    join: (steps) => joinPlannedSteps(steps, scope.planner).map((step) => inheritGuards(step, scope)),
    instruction: () => planInstruction(scope),
  };
}

/**
 * A planned agent step keeps the planning step's guardrails, written into the accepted plan (so
 * they are visible, and kept when the plan is frozen): its tool approvals for the tools it lists,
 * and its budget when the step sets none.
 */
function inheritGuards(step: StepDef, scope: PlanningScope): StepDef {
  if (step.action !== 'agent' || !isRecord(step.with)) return step;
  const config: Record<string, unknown> = { ...step.with };
  const tools = Array.isArray(config.tools) ? (config.tools as string[]) : [];
  const asked = Array.isArray(config.require_approval_for) ? (config.require_approval_for as string[]) : [];
  const needed = (scope.approvals ?? []).filter((tool) => tools.includes(tool) && !asked.includes(tool));
  if (needed.length > 0) config.require_approval_for = [...asked, ...needed];
  if (scope.budget !== undefined && config.budget === undefined) config.budget = scope.budget;
  return { ...step, with: config };
}

export function checkPlannedSteps(raw: unknown, scope: PlanningScope): ErrorDetail[] {
  if (!Array.isArray(raw)) return [{ path: '$.steps', message: 'must be an array of steps' }];
  const problems: ErrorDetail[] = [];
  if (raw.length > scope.spec.maxSteps) {
    problems.push({ path: '$.steps', message: `the plan has ${raw.length} steps; at most ${scope.spec.maxSteps} are allowed (plan.max_steps of step "${scope.planner}")` });
  }
  const depth = scope.planner.split('.').length + 1;
  raw.forEach((item, i) => {
    const at = `$.steps[${i}]`;
    const parsed = stepSchema.safeParse(item);
    if (!parsed.success) problems.push(...zodProblems(parsed.error.issues).map((p) => ({ ...p, path: at + p.path.slice(1) })));
    if (!isRecord(item)) return;
    if (typeof item.id === 'string' && !ID_PATTERN.test(item.id)) {
      problems.push({ path: `${at}.id`, message: 'must match ^[A-Za-z0-9_-]{1,64}$ (no dots: Rota puts planned steps under the planning step\'s namespace itself)' });
    } else if (typeof item.id === 'string' && scope.runSteps.includes(`${scope.planner}.${item.id}`)) {
      problems.push({ path: `${at}.id`, message: `the run already has a step "${scope.planner}.${item.id}"; choose another id` });
    } else if (typeof item.id === 'string' && scope.runSteps.includes(item.id)) {
      problems.push({ path: `${at}.id`, message: `"${item.id}" is the id of a step of the run; choose another id, so that {{ steps.${item.id}.output }} stays unambiguous` });
    }
    problems.push(...plannedStepRules(item, at, scope, depth));
  });
  const steps = collectSteps(raw, '$.steps', false);
  problems.push(...checkStepIds(steps), ...checkNeeds(steps, []));
  const local = new Set(steps.flatMap((s) => (s.id === undefined ? [] : [s.id])));
  const ctx: StepCheckContext = {
    lookup: (type) => (scope.spec.allow.includes(type) ? scope.lookup(type) : undefined),
    knownActions: null,
    inputs: scope.inputs,
    knownSteps: new Set([...scope.runSteps.filter((id) => id !== scope.planner), ...local]),
  };
  const upstream = upstreamSets(steps);
  for (const step of steps) {
    if (step.action === undefined || !scope.spec.allow.includes(step.action) || !scope.lookup(step.action)) continue;
    const visible = new Set([...scope.upstream, ...(upstream.get(step.id ?? '') ?? [])]);
    // the planner and secrets have their own messages (plannedStepRules)
    const own = (p: ErrorDetail) => p.message.includes(`unknown step "${scope.planner}"`) || p.message.includes('secrets are not allowed in field');
    const upstreamHint = `not upstream of the planning step "${scope.planner}": a plan may read the planning step's upstream steps and its own steps`;
    problems.push(...checkStep(step, visible, ctx).filter((p) => !own(p)).map((p) => (isRunStepNotUpstream(p.message, scope) ? { ...p, message: p.message.replace(/is not upstream of step "[^"]*"; add it to needs/, `is ${upstreamHint}`) } : p)));
  }
  return problems;
}

function isRunStepNotUpstream(message: string, scope: PlanningScope): boolean {
  const match = /step "([^"]*)" is not upstream/.exec(message);
  return match !== null && scope.runSteps.includes(match[1]!);
}

/** Agent fields that decide what a planned agent step may do: literal only, never templates. */
const AGENT_LITERAL_FIELDS = ['tools', 'require_approval_for', 'plan', 'model', 'budget', 'max_turns', 'max_tokens', 'output_schema', 'temperature'];

/** What a planned step may not do that a declared step may: the allowlist, secrets, other tools. */
function plannedStepRules(item: Record<string, unknown>, at: string, scope: PlanningScope, depth: number): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const action = item.action;
  if (typeof action === 'string' && !scope.spec.allow.includes(action)) {
    problems.push({ path: `${at}.action`, message: `action "${action}" is not allowed in this plan (allowed: ${scope.spec.allow.join(', ')}; plan.allow of step "${scope.planner}")` });
  } else if (typeof action === 'string' && !scope.lookup(action)) {
    problems.push({ path: `${at}.action`, message: `unknown action "${action}"` });
  }
  // the planner and the planners it was planned by: their outputs are plans, not data
  const planners = new Set(scope.planner.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.')));
  const plannerOf = (segments: unknown[]) => (segments[0] === 'steps' && typeof segments[1] === 'string' && planners.has(segments[1]) ? segments[1] : null);
  for (const ref of findTemplateReferences(item.with, `${at}.with`)) {
    if (ref.root === 'secrets') problems.push({ path: ref.path, message: `{{ ${ref.expression} }}: secrets cannot be used in planned steps` });
    const planner = plannerOf(ref.segments);
    if (planner !== null) problems.push({ path: ref.path, message: `{{ ${ref.expression} }}: a planned step cannot read the output of planning step "${planner}" (a plan, not data)` });
  }
  for (const entry of collectFilterPaths(item.if, `${at}.if`)) {
    const planner = plannerOf(entry.segments);
    if (planner !== null) problems.push({ path: entry.path, message: `a planned step cannot read the output of planning step "${planner}" (a plan, not data)` });
  }
  const config = isRecord(item.with) ? item.with : {};
  if (action === 'agent') {
    for (const field of AGENT_LITERAL_FIELDS) {
      if (config[field] !== undefined && hasTemplate(JSON.stringify(config[field]))) {
        problems.push({ path: `${at}.with.${field}`, message: `"${field}" of a planned agent step cannot be a template: write it out` });
      }
    }
    if (config.tools !== undefined && !Array.isArray(config.tools)) problems.push({ path: `${at}.with.tools`, message: 'must be a list of tool names' });
    if (scope.budget !== undefined && config.budget !== undefined) {
      const own = isRecord(config.budget) ? config.budget : {};
      for (const key of ['max_cost_usd', 'max_tokens'] as const) {
        const limit = scope.budget[key];
        if (limit !== undefined && (typeof own[key] !== 'number' || (own[key] as number) > limit)) {
          problems.push({ path: `${at}.with.budget.${key}`, message: `may be at most the planning step's ${key} (${limit}); leave budget out to take the planning step's` });
        }
      }
    }
  }
  if (action === 'agent' && Array.isArray(config.tools)) {
    config.tools.forEach((tool, j) => {
      if (typeof tool === 'string' && !scope.tools.includes(tool)) {
        const own = scope.tools.length === 0 ? 'it has none' : `it has ${scope.tools.join(', ')}`;
        problems.push({ path: `${at}.with.tools[${j}]`, message: `tool "${tool}" is not available to this plan: planned agent steps may use only the planning step's tools (${own})` });
      }
    });
  }
  const nested = planSpecOf(config);
  if (action === 'agent' && nested !== null) {
    if (depth >= MAX_ID_SEGMENTS) problems.push({ path: `${at}.with.plan`, message: `plans nest at most ${MAX_ID_SEGMENTS - 1} deep` });
    nested.allow.forEach((type, j) => {
      if (!scope.spec.allow.includes(type)) problems.push({ path: isRecord(config.plan) ? `${at}.with.plan.allow[${j}]` : `${at}.with.plan`, message: `a nested plan may allow only actions this plan allows (${scope.spec.allow.join(', ')}); "${type}" is not one` });
    });
    if (nested.maxSteps > scope.spec.maxSteps) problems.push({ path: `${at}.with.plan`, message: `a nested plan may have at most ${scope.spec.maxSteps} steps, like this one` });
  }
  return problems;
}

/**
 * The accepted steps as the run executes them: ids under the planner's namespace, needs explicit
 * (a step without `needs` follows the previous one; the first ones need the planner), references
 * to siblings rewritten to full ids. A sibling's id shadows a run step of the same id.
 */
export function joinPlannedSteps(steps: StepDef[], planner: string): StepDef[] {
  const local = new Set(steps.map((s) => s.id));
  const full = (id: string): string => `${planner}.${id}`;
  const mapPath = (segments: PathSegment[]): PathSegment[] | null =>
    segments[0] === 'steps' && typeof segments[1] === 'string' && local.has(segments[1]) ? ['steps', full(segments[1]), ...segments.slice(2)] : null;
  return steps.map((step, i) => {
    const needs = step.needs === undefined ? (i === 0 ? [planner] : [full(steps[i - 1]!.id)]) : step.needs.length === 0 ? [planner] : step.needs.map(full);
    const joined: StepDef = { ...step, id: full(step.id), needs };
    if (step.with !== undefined) {
      joined.with = rewriteTemplates(step.with, (ref) => {
        const path = mapPath(ref.segments);
        return path === null ? { keep: true } : { path };
      }) as Record<string, unknown>;
    }
    if (step.if !== undefined) joined.if = mapFilterPaths(step.if, mapPath) as Record<string, unknown>;
    return joined;
  });
}

/** The steps of a plan that no other step of it needs: what the planner's dependents wait for. */
export function planSinks(steps: { id: string; needs?: string[] }[]): string[] {
  const needed = new Set(steps.flatMap((s) => s.needs ?? []));
  return steps.filter((s) => !needed.has(s.id)).map((s) => s.id);
}

export function planInstruction(scope: PlanningScope): string {
  const actions = scope.spec.allow.flatMap((type) => {
    const action = scope.lookup(type);
    return action ? [`- ${type}: ${action.description ?? ''}\n  "with" must match this JSON Schema: ${JSON.stringify(action.configSchema)}`] : [];
  });
  const inputs = scope.inputs.declared.size === 0 ? 'none' : [...scope.inputs.declared].join(', ');
  const upstream = scope.upstream.length === 0 ? 'none' : scope.upstream.map((id) => (id.includes('.') ? `steps["${id}"]` : id)).join(', ');
  return [
    `You are the planning step "${scope.planner}" of a Rota run. Work out the steps that do the task; Rota validates your plan and then runs its steps durably, with retries.`,
    `Your final answer must be only a JSON object {"steps": [...], "summary": "one or two sentences on why this plan"} (no prose around it, no code fences) with at most ${scope.spec.maxSteps} steps.`,
    'Each step is {"id": "letters, digits, _ or -", "action": "...", "with": {...}} with optional "name", "needs" (ids of other steps of this plan; without it a step runs after the previous one), "if" (a filter), "retry", "timeout" (e.g. "30s") and "continue_on_error".',
    'Allowed actions:',
    ...actions,
    `Strings in "with" may use templates: {{ inputs.NAME }} (declared inputs: ${inputs}) and {{ steps.ID.output }} of earlier steps of this plan or of these steps of the run: ${upstream}. Secrets cannot be used.`,
    `Agent steps of the plan may use only these tools: ${scope.tools.length === 0 ? 'none (leave tools out)' : scope.tools.join(', ')}.`,
  ].join('\n');
}

/**
 * A definition's planning steps against the registry and the triggers. Paths point into the
 * definition (`$.steps[1].with.plan.allow[0]`).
 */
export function checkPlanningSteps(raw: Record<string, unknown>, lookup: ActionLookup): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const planners: string[] = [];
  const steps = Array.isArray(raw.steps) ? raw.steps : [];
  steps.forEach((step, i) => {
    if (!isRecord(step) || !isPlanningStep(step)) return;
    const at = `$.steps[${i}].with`;
    const config = step.with as Record<string, unknown>;
    if (typeof step.id === 'string') planners.push(step.id);
    if (typeof step.id === 'string' && step.id.split('.').length >= MAX_ID_SEGMENTS) problems.push({ path: `$.steps[${i}].id`, message: `a planning step's id may have at most ${MAX_ID_SEGMENTS - 1} segments (its steps are namespaced under it)` });
    if (hasTemplate(JSON.stringify(config.plan))) problems.push({ path: `${at}.plan`, message: 'plan settings cannot be templates' });
    if (isRecord(config.plan) && Array.isArray(config.plan.allow)) {
      config.plan.allow.forEach((type, j) => {
        if (typeof type === 'string' && !lookup(type)) problems.push({ path: `${at}.plan.allow[${j}]`, message: `unknown action "${type}"` });
      });
    }
  });
  const execution = isRecord(raw.execution) ? raw.execution : {};
  const onFailure = Array.isArray(execution.on_failure) ? execution.on_failure : [];
  onFailure.forEach((step, i) => {
    if (isRecord(step) && isPlanningStep(step)) problems.push({ path: `$.execution.on_failure[${i}].with.plan`, message: 'on_failure steps cannot plan' });
  });
  // the namespace of a planning step belongs to the steps it plans
  const declared: [unknown, string][] = [...steps.map((s, i): [unknown, string] => [s, `$.steps[${i}].id`]), ...onFailure.map((s, i): [unknown, string] => [s, `$.execution.on_failure[${i}].id`])];
  for (const [step, at] of declared) {
    const id = isRecord(step) && typeof step.id === 'string' ? step.id : null;
    const owner = id === null ? undefined : planners.find((p) => id.startsWith(`${p}.`));
    if (owner !== undefined) problems.push({ path: at, message: `"${id}" is in the namespace of planning step "${owner}", which belongs to the steps it plans; choose another id` });
  }
  if (planners.length > 0 && Array.isArray(raw.triggers)) {
    raw.triggers.forEach((trigger, i) => {
      if (!isRecord(trigger) || trigger.type !== 'schedule' || trigger.allow_replan === true) return;
      problems.push({
        path: `$.triggers[${i}]`,
        message: `${planners.length === 1 ? 'step' : 'steps'} ${planners.map((p) => `"${p}"`).join(', ')} ${planners.length === 1 ? 'plans' : 'plan'} at run time, so every fire of this schedule would plan anew; save a run as a frozen automation (rota save-run) and schedule that, or set allow_replan: true`,
      });
    });
  }
  return problems;
}
