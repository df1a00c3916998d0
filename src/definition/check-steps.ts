/**
 * Cross-field checks of steps, run on the raw (possibly shape-invalid) definition so that they are
 * reported together with shape errors: actions and their `with:`, ids, `needs`, cycles, templates
 * and `if:` filters. Everything here reads the raw value defensively.
 */
import type { ActionDefinition } from '../actions/types.js';
import type { ErrorDetail } from '../errors.js';
import { collectFilterPaths, validateFilter } from './filter.js';
import { appendPath, isRecord } from './json-path.js';
import { validateDeferred } from './json-schema.js';
import { RUN_FIELDS, checkReference, type InputsInfo, type ReferenceContext } from './references.js';
import { findTemplateReferences, hasTemplate } from './template.js';

/** What the checks know of one step, taken leniently from the raw definition. */
export interface StepInfo {
  path: string;
  id?: string;
  action?: string;
  with?: unknown;
  /** Declared `needs` (string entries only), or undefined when not declared. */
  needs?: string[];
  if?: unknown;
  onFailure: boolean;
  /** Effective dependencies; see PlanStep.needs. */
  effectiveNeeds: string[];
}

export function collectSteps(raw: unknown, path: string, onFailure: boolean): StepInfo[] {
  if (!Array.isArray(raw)) return [];
  const steps: StepInfo[] = [];
  raw.forEach((item, i) => {
    if (!isRecord(item)) return;
    const needs = Array.isArray(item.needs) ? item.needs.filter((n): n is string => typeof n === 'string') : undefined;
    const previous = steps.at(-1)?.id;
    steps.push({
      path: appendPath(path, i),
      id: typeof item.id === 'string' ? item.id : undefined,
      action: typeof item.action === 'string' ? item.action : undefined,
      with: item.with,
      needs,
      if: item.if,
      onFailure,
      // on_failure steps run in order, so they always follow the previous one.
      effectiveNeeds: needs !== undefined && !onFailure ? [...new Set(needs)] : previous === undefined ? [] : [previous],
    });
  });
  return steps;
}

export function checkStepIds(steps: StepInfo[]): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const first = new Map<string, string>();
  for (const step of steps) {
    if (step.id === undefined) continue;
    const seen = first.get(step.id);
    if (seen === undefined) first.set(step.id, step.path);
    else problems.push({ path: appendPath(step.path, 'id'), message: `duplicate step id "${step.id}" (first used at ${seen})` });
  }
  return problems;
}

export function checkNeeds(main: StepInfo[], onFailure: StepInfo[]): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const ids = new Set(main.flatMap((step) => (step.id === undefined ? [] : [step.id])));
  for (const step of main) {
    step.needs?.forEach((need, j) => {
      const at = appendPath(appendPath(step.path, 'needs'), j);
      if (need === step.id) problems.push({ path: at, message: 'a step cannot need itself' });
      else if (!ids.has(need)) problems.push({ path: at, message: `unknown step "${need}"` });
    });
  }
  for (const step of onFailure) {
    if (step.needs !== undefined) {
      problems.push({ path: appendPath(step.path, 'needs'), message: 'on_failure steps run in order; needs is not supported here' });
    }
  }
  return problems.concat(findCycles(main));
}

/** Reports each cycle of effective needs once, at the first step (in list order) on it. */
function findCycles(steps: StepInfo[]): ErrorDetail[] {
  const byId = firstById(steps);
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const problems: ErrorDetail[] = [];
  const visit = (id: string): void => {
    state.set(id, 'active');
    stack.push(id);
    for (const need of byId.get(id)?.effectiveNeeds ?? []) {
      // A self-need is reported by checkNeeds; an implicit one only arises from duplicate ids.
      if (need === id || !byId.has(need) || state.get(need) === 'done') continue;
      if (state.get(need) === 'active') {
        const cycle = stack.slice(stack.indexOf(need));
        const key = [...cycle].sort().join('\u0000');
        if (!reported.has(key)) {
          reported.add(key);
          problems.push(cycleProblem(cycle, byId, steps));
        }
      } else {
        visit(need);
      }
    }
    stack.pop();
    state.set(id, 'done');
  };
  for (const id of byId.keys()) if (!state.has(id)) visit(id);
  return problems;
}

function cycleProblem(cycle: string[], byId: Map<string, StepInfo>, order: StepInfo[]): ErrorDetail {
  // The stack holds dependents before what they need; print it in "a needs b" direction.
  const members = [...cycle, cycle[0]!];
  const implicit = cycle.filter((id) => byId.get(id)?.needs === undefined);
  const first = order.find((step) => step.id !== undefined && cycle.includes(step.id))!;
  const hint = implicit.length === 0 ? '' : `; ${implicit.map((id) => `"${id}"`).join(', ')} implicitly need${implicit.length === 1 ? 's' : ''} the previous step (declare needs: explicitly)`;
  return { path: appendPath(first.path, first.needs === undefined ? 'id' : 'needs'), message: `needs form a cycle: ${members.join(' → ')}${hint}` };
}

/** Steps by id; with duplicate ids (reported separately) the first one counts. */
function firstById(steps: StepInfo[]): Map<string, StepInfo> {
  const byId = new Map<string, StepInfo>();
  for (const step of steps) if (step.id !== undefined && !byId.has(step.id)) byId.set(step.id, step);
  return byId;
}

/** Transitive effective needs of every main step (cycles are reported elsewhere and cut here). */
export function upstreamSets(steps: StepInfo[]): Map<string, Set<string>> {
  const byId = firstById(steps);
  const out = new Map<string, Set<string>>();
  // A plain search per step: memoizing across a cycle would leave some sets incomplete.
  for (const id of byId.keys()) {
    const seen = new Set<string>();
    const queue = [...(byId.get(id)?.effectiveNeeds ?? [])];
    while (queue.length > 0) {
      const need = queue.pop()!;
      if (need === id || seen.has(need) || !byId.has(need)) continue;
      seen.add(need);
      queue.push(...byId.get(need)!.effectiveNeeds);
    }
    out.set(id, seen);
  }
  return out;
}

export type ActionLookup = (type: string) => ActionDefinition | undefined;

export interface StepCheckContext {
  lookup: ActionLookup;
  knownActions: string[] | null;
  inputs: InputsInfo;
  knownSteps: Set<string>;
}

/** Action, `with:` config, templates and `if:` of one step. */
export function checkStep(step: StepInfo, upstream: Set<string>, ctx: StepCheckContext): ErrorDetail[] {
  if (step.action === undefined) return [];
  const action = ctx.lookup(step.action);
  if (!action) {
    const known = ctx.knownActions === null ? '' : ` (known: ${ctx.knownActions.join(', ')})`;
    return [{ path: appendPath(step.path, 'action'), message: `unknown action "${step.action}"${known}` }];
  }
  const withPath = appendPath(step.path, 'with');
  const config = step.with === undefined ? {} : step.with;
  const problems = isRecord(config) ? checkConfig(action, config, withPath) : [];
  const base: ReferenceContext = {
    roots: ['inputs', 'steps', 'run'],
    placeName: `step "${step.id ?? '?'}"`,
    inputs: ctx.inputs,
    knownSteps: ctx.knownSteps,
    upstream,
    currentStep: step.id,
    runFields: step.onFailure ? [...RUN_FIELDS, 'error'] : RUN_FIELDS,
  };
  if (isRecord(config)) problems.push(...checkWithTemplates(config, withPath, action, base));
  if (step.if !== undefined) problems.push(...checkIf(step.if, appendPath(step.path, 'if'), base));
  return problems;
}

function checkConfig(action: ActionDefinition, config: Record<string, unknown>, path: string): ErrorDetail[] {
  try {
    return [...validateDeferred(action.configSchema, config, path, hasTemplate), ...(action.checkConfig?.(config, path) ?? [])];
  } catch (err) {
    return [{ path, message: `action "${action.type}" has an invalid configSchema: ${(err as Error).message}` }];
  }
}

function checkWithTemplates(config: Record<string, unknown>, path: string, action: ActionDefinition, base: ReferenceContext): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const secretFields = action.secretFields ?? [];
  for (const [field, value] of Object.entries(config)) {
    const secretCapable = secretFields.includes(field);
    const ctx: ReferenceContext = secretCapable ? { ...base, roots: [...base.roots, 'secrets'] } : base;
    for (const ref of findTemplateReferences(value, appendPath(path, field))) {
      let message = ref.problem ?? checkReference(ref.segments, ctx);
      // the json pipe would encode the marker that stands for the value, not the value (step-secrets.ts)
      if (message === null && ref.root === 'secrets' && ref.pipes.length > 0) message = 'pipes are not supported on secrets; use {{ secrets.NAME }}';
      if (message !== null && ref.root === 'secrets' && !secretCapable) {
        const allowed = secretFields.length === 0 ? 'none' : secretFields.join(', ');
        message = `secrets are not allowed in field "${field}" of action "${action.type}" (secret-capable fields: ${allowed})`;
      }
      if (message !== null) problems.push({ path: ref.path, message: `{{ ${ref.expression} }}: ${message}` });
    }
  }
  return problems;
}

function checkIf(filter: unknown, path: string, ctx: ReferenceContext): ErrorDetail[] {
  const problems = validateFilter(filter, path, ctx.roots);
  for (const entry of collectFilterPaths(filter, path)) {
    if (!ctx.roots.includes(String(entry.segments[0]))) continue; // reported by validateFilter
    const message = checkReference(entry.segments, ctx);
    if (message !== null) problems.push({ path: entry.path, message });
  }
  return problems;
}
