/**
 * Freezing a run's realized plan into a definition (SPEC §6, `save-as-automation`). Pure: the
 * caller hands in the source version's definition, the run's inputs and its steps' outcomes.
 *
 * - Each planning step that planned (and is not kept planning) is replaced by the steps it
 *   produced, recursively; those keep their full ids (`research.fetch`), settings (`retry`,
 *   `timeout`, `if`, `continue_on_error`) and explicit order. A step that needed a frozen planner
 *   needs the plan's last steps instead; the plan's first steps need what the planner needed.
 * - A reference to a frozen planner's output (its plan) becomes the source run's value.
 * - `{{ inputs.NAME }}` may appear only in text fields (the action's `textFields`: prompts,
 *   messages, details, tasks); every placeholder must be declared and every declared input used.
 *   An input listed in `literal` is frozen to the source run's value instead.
 * The report says what was frozen, what still plans, what was taken literally, the inputs and
 * where the source run's path depended on what it found. Problems carry paths into the saved
 * definition (`$.steps[3].with.url`) or into the request (`$.inputs[0].name`).
 */
import type { ActionDefinition } from '../actions/types.js';
import type { ErrorDetail } from '../errors.js';
import { collectFilterPaths, getPath } from './filter.js';
import { appendPath, isRecord } from './json-path.js';
import { isPlanningStep, planSinks } from './planning.js';
import { findTemplateReferences, rewriteTemplates } from './template.js';
import type { Definition, StepDef, TriggerDef } from './types.js';

export const INPUT_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const INPUT_TYPES = ['string', 'number', 'integer', 'boolean'] as const;

export interface SavedInput {
  name: string;
  description?: string;
  required?: boolean;
  default?: unknown;
  /** JSON type; default: the source automation's type for the same input, else string */
  type?: (typeof INPUT_TYPES)[number];
}

export interface FreezeRequest {
  name: string;
  description?: string;
  inputs?: SavedInput[];
  /** planning steps that stay planning at run time (a partially frozen automation) */
  keep_planning?: string[];
  /** inputs of the source automation frozen to the source run's value instead of declared */
  literal?: string[];
  /** the saved automation's triggers; default: an existing automation's own, none for a new one */
  triggers?: TriggerDef[];
}

export interface FreezeSource {
  runId: string;
  definition: Definition;
  inputs: Record<string, unknown>;
  /** each step of the run by id: its status and parsed output */
  steps: Map<string, { status: string; output: unknown }>;
}

export interface FreezeReport {
  source_run: string;
  /** planning steps replaced by the steps they produced (top level of each plan) */
  frozen: { step: string; steps: string[] }[];
  /** planning steps still in the saved definition: they plan again at run time */
  still_planning: { step: string; reason: string }[];
  partially_frozen: boolean;
  /** values the saved definition holds as they were in the source run */
  literals: { path: string; value: unknown; reason: string }[];
  inputs: { name: string; type: string; required: boolean; default?: unknown; description?: string; used_at: string[] }[];
  /** where the source run's course depended on what it found */
  warnings: { path: string; code: 'skipped_in_source' | 'conditional_step' | 'plan_chose' | 'failed_in_source' | 'replans'; message: string }[];
  triggers: string[];
}

export type ActionLookup = (type: string) => ActionDefinition | undefined;

export function freezeRun(
  source: FreezeSource,
  request: FreezeRequest,
  lookup: ActionLookup,
  target: { triggers?: TriggerDef[] } | null,
): { definition: Definition; report: FreezeReport; problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  const report: FreezeReport = { source_run: source.runId, frozen: [], still_planning: [], partially_frozen: false, literals: [], inputs: [], warnings: [], triggers: [] };
  const keep = new Set(request.keep_planning ?? []);
  const literal = new Set(request.literal ?? []);
  const declared = checkInputs(request.inputs ?? [], problems);

  // 1. the steps, planners replaced by their plans
  const frozen = new Map<string, StepDef[]>();
  const needsOf = new Map<string, string[]>();
  const plannedIds = new Set<string>();
  const inheritedIf = new Set<string>();
  const expand = (list: StepDef[], declaredList: boolean): StepDef[] =>
    list.flatMap((step, i) => {
      needsOf.set(step.id, step.needs ?? (declaredList ? (i === 0 ? [] : [list[i - 1]!.id]) : []));
      if (!isPlanningStep(step)) return [step];
      const row = source.steps.get(step.id);
      const plan = row?.status === 'succeeded' && isRecord(row.output) && Array.isArray(row.output.steps) ? (row.output.steps as StepDef[]) : null;
      if (plan === null || keep.has(step.id)) {
        const reason = keep.has(step.id) ? 'kept planning (keep_planning)' : row?.status === 'skipped' ? 'skipped in the source run (its if: was false): it never planned' : 'it did not plan in the source run';
        report.still_planning.push({ step: step.id, reason });
        return [step];
      }
      // a conditional planner's steps keep its condition (each of them: a skipped step counts as done for what needs it)
      const conditioned = step.if === undefined ? plan : plan.map((s) => ({ ...s, if: s.if === undefined ? step.if! : { $and: [step.if!, s.if] } }));
      frozen.set(step.id, conditioned);
      report.frozen.push({ step: step.id, steps: plan.map((s) => s.id) });
      for (const s of plan) plannedIds.add(s.id);
      if (step.if !== undefined) inheritedIf.add(step.id);
      planChoseWarning(step, plan, report);
      return expand(conditioned, false);
    });
  const expanded = expand(source.definition.steps, true);
  for (const kept of report.still_planning) {
    report.warnings.push({ path: '$.steps', code: 'replans', message: `step "${kept.step}" plans at run time: its plan may differ from run to run, and what it plans is checked when it plans, not by this save (its steps may place inputs in any field)` });
  }
  for (const id of literal) {
    if (declared.has(id)) problems.push({ path: '$.literal', message: `input "${id}" is both declared (inputs) and frozen (literal); choose one` });
  }
  for (const id of keep) {
    if (!report.still_planning.some((s) => s.step === id)) problems.push({ path: '$.keep_planning', message: `"${id}" is not a planning step of the source run's realized plan` });
  }
  report.partially_frozen = report.still_planning.length > 0;

  // 2. explicit order where the implicit "after the previous step" would differ
  const resolveNeed = (from: string, need: string, seen: Set<string>): string[] => {
    const plan = frozen.get(need);
    if (!plan || seen.has(need)) return [need];
    const next = new Set([...seen, need]);
    if (from.startsWith(`${need}.`)) return (needsOf.get(need) ?? []).flatMap((n) => resolveNeed(need, n, next));
    const sinks = planSinks(plan);
    if (sinks.length === 0) return (needsOf.get(need) ?? []).flatMap((n) => resolveNeed(need, n, next));
    return sinks.flatMap((k) => resolveNeed(from, k, next));
  };
  const steps = expanded.map((step, i): StepDef => {
    const needs = [...new Set((needsOf.get(step.id) ?? []).flatMap((n) => resolveNeed(step.id, n, new Set())))];
    const implicit = i === 0 ? [] : [expanded[i - 1]!.id];
    const { needs: _drop, ...rest } = step;
    const sameAsImplicit = needs.length === implicit.length && needs.every((n) => implicit.includes(n));
    return sameAsImplicit ? rest : { ...rest, needs };
  });

  // 3. values: a frozen planner's output becomes the source run's value; inputs checked
  const used = new Map<string, string[]>();
  const literalUsed = new Set<string>();
  const sourceProps = isRecord(source.definition.inputs?.properties) ? (source.definition.inputs.properties as Record<string, unknown>) : {};
  const inputType = (name: string): string => {
    const input = (request.inputs ?? []).find((i) => i.name === name);
    const sourceType = isRecord(sourceProps[name]) ? (sourceProps[name] as Record<string, unknown>).type : undefined;
    return input?.type ?? (typeof sourceType === 'string' && (INPUT_TYPES as readonly string[]).includes(sourceType) ? sourceType : 'string');
  };
  const fix = (value: unknown, path: string, textField: (field: string) => boolean, place: string): unknown => {
    for (const ref of findTemplateReferences(value, path)) {
      const name = String(ref.segments[1] ?? '');
      if (ref.root === 'steps' && frozen.has(name)) {
        const found = getPath({ output: source.steps.get(name)?.output }, ref.segments.slice(2));
        if (holdsTemplate(found.value)) problems.push({ path: ref.path, message: `{{ ${ref.expression} }}: the source run's value holds "{{", which a saved definition cannot take literally (it would read as a template)` });
        else report.literals.push({ path: ref.path, value: found.value ?? null, reason: `the output of planning step "${name}" in the source run (its plan)` });
      }
      if (ref.root !== 'inputs') continue;
      if (ref.segments.length < 2) {
        problems.push({ path: ref.path, message: `{{ ${ref.expression} }} reads every input at once; name the one meant: {{ inputs.NAME }}` });
        continue;
      }
      if (literal.has(name)) {
        literalUsed.add(name);
        const found = getPath(source.inputs, ref.segments.slice(1));
        if (!found.found) problems.push({ path: ref.path, message: `{{ ${ref.expression} }}: input "${name}" has no value in the source run to freeze` });
        else if (holdsTemplate(found.value)) problems.push({ path: ref.path, message: `{{ ${ref.expression} }}: the source run's value of input "${name}" holds "{{", which a saved definition cannot take literally (it would read as a template); declare the input instead` });
        else report.literals.push({ path: ref.path, value: found.value, reason: `input "${name}" of the source run, frozen (literal)` });
        continue;
      }
      const field = ref.path.slice(path.length + 1).split(/[.[]/)[0] ?? '';
      if (declared.has(name) && textField(field) && ref.whole && inputType(name) !== 'string') {
        problems.push({ path: ref.path, message: `{{ ${ref.expression} }} is the whole of a text field, so input "${name}" must be a string (it is ${inputType(name)}); write it into text, e.g. "Topic: {{ inputs.${name} }}"` });
        continue;
      }
      if (!declared.has(name)) {
        problems.push({ path: ref.path, message: `{{ ${ref.expression} }}: input "${name}" is not declared; declare it (inputs: [{name: "${name}", description: ...}], rota save-run --input ${name}=description) or freeze the source run's value (literal: ["${name}"], --literal ${name})` });
      } else if (!textField(field)) {
        problems.push({ path: ref.path, message: `{{ ${ref.expression} }}: input placeholders may appear only in text fields (${place}); freeze the source run's value instead (literal: ["${name}"], --literal ${name})` });
      } else {
        used.set(name, [...(used.get(name) ?? []), ref.path]);
      }
    }
    return rewriteTemplates(value, (ref) => {
      if (ref.root === 'steps' && typeof ref.segments[1] === 'string' && frozen.has(ref.segments[1])) {
        return { value: getPath({ output: source.steps.get(ref.segments[1])?.output }, ref.segments.slice(2)).value ?? null };
      }
      if (ref.root === 'inputs' && literal.has(String(ref.segments[1]))) {
        const found = getPath(source.inputs, ref.segments.slice(1));
        return found.found ? { value: found.value } : { keep: true };
      }
      return { keep: true };
    });
  };
  const fixStep = (step: StepDef, at: string): StepDef => {
    const action = lookup(step.action);
    const text = action?.textFields ?? [];
    const place = text.length === 0 ? `action "${step.action}" has none` : `of action "${step.action}": ${text.join(', ')}`;
    const out: StepDef = { ...step };
    if (step.with !== undefined) out.with = fix(step.with, `${at}.with`, (field) => text.includes(field), place) as Record<string, unknown>;
    if (step.if !== undefined) {
      for (const entry of collectFilterPaths(step.if, `${at}.if`)) {
        const root = entry.segments[0];
        if (root === 'inputs' && declared.has(String(entry.segments[1]))) problems.push({ path: entry.path, message: `an if: condition is not a text field: input "${String(entry.segments[1])}" cannot be read here in a saved automation` });
        if (root === 'inputs' && !declared.has(String(entry.segments[1]))) problems.push({ path: entry.path, message: `input "${String(entry.segments[1])}" is not declared, and an if: condition cannot be frozen to a value` });
        if (root === 'steps' && frozen.has(String(entry.segments[1]))) problems.push({ path: entry.path, message: `reads the plan of "${String(entry.segments[1])}", which is frozen away` });
      }
    }
    return out;
  };
  const finalSteps = steps.map((step, i) => fixStep(step, `$.steps[${i}]`));
  const execution = source.definition.execution ? { ...source.definition.execution } : undefined;
  if (execution?.on_failure) execution.on_failure = execution.on_failure.map((step, i) => fixStep(step, `$.execution.on_failure[${i}]`));
  if (execution?.concurrency_key !== undefined) {
    execution.concurrency_key = fix(execution.concurrency_key, '$.execution.concurrency_key', () => false, 'a concurrency key is not one') as string;
  }

  for (const id of literal) {
    if (!literalUsed.has(id) && !declared.has(id)) problems.push({ path: '$.literal', message: `input "${id}" is not read by any saved step: nothing to freeze` });
  }

  // 4. what the source run's course depended on, and literal copies of its inputs
  finalSteps.forEach((step, i) => {
    const status = source.steps.get(step.id)?.status;
    const at = `$.steps[${i}]`;
    if (status === 'skipped') report.warnings.push({ path: at, code: 'skipped_in_source', message: `step "${step.id}" was skipped in the source run (its if: was false); it keeps its condition` });
    else if (step.if !== undefined && plannedIds.has(step.id) && inheritedIf.has(step.id.slice(0, step.id.lastIndexOf('.')))) report.warnings.push({ path: `${at}.if`, code: 'conditional_step', message: `step "${step.id}" keeps the condition of its planning step "${step.id.slice(0, step.id.lastIndexOf('.'))}"` });
    else if (step.if !== undefined && plannedIds.has(step.id)) report.warnings.push({ path: `${at}.if`, code: 'conditional_step', message: `the plan made step "${step.id}" conditional; it ran in the source run and keeps its condition` });
    if (status === 'failed') report.warnings.push({ path: at, code: 'failed_in_source', message: `step "${step.id}" failed in the source run (continue_on_error)` });
    // as the plan wrote it, before placeholders were frozen to values
    if (plannedIds.has(step.id)) literalInputs(steps[i]!, at, source.inputs, report);
  });

  // 5. inputs
  const inputs = request.inputs ?? [];
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  inputs.forEach((input, i) => {
    if (!declared.has(input.name)) return;
    const type = inputType(input.name);
    const property: Record<string, unknown> = { type };
    if (input.description !== undefined) property.description = input.description;
    let fallback = input.default;
    if (input.required !== true && fallback === undefined) {
      if (source.inputs[input.name] !== undefined) {
        fallback = source.inputs[input.name];
        report.literals.push({ path: `$.inputs.properties.${input.name}.default`, value: fallback, reason: `the default of optional input "${input.name}" is the source run's value` });
      } else {
        problems.push({ path: `$.inputs[${i}]`, message: `input "${input.name}" is optional but has no default and the source run has no value for it: give a default or make it required` });
      }
    }
    if (fallback !== undefined) property.default = fallback;
    properties[input.name] = property;
    if (input.required === true) required.push(input.name);
    const uses = used.get(input.name) ?? [];
    if (uses.length === 0) problems.push({ path: `$.inputs[${i}]`, message: `input "${input.name}" is not used: no {{ inputs.${input.name} }} in a text field of the saved steps` });
    report.inputs.push({ name: input.name, type, required: input.required === true, ...(fallback !== undefined ? { default: fallback } : {}), ...(input.description !== undefined ? { description: input.description } : {}), used_at: uses });
  });

  // in the order a person writes a definition
  const definition = { name: request.name } as Definition;
  definition.description = request.description ?? `Saved from run ${source.runId} of ${source.definition.name}: its plan, frozen`;
  if (source.definition.metadata !== undefined) definition.metadata = source.definition.metadata;
  if (declared.size > 0) definition.inputs = { type: 'object', properties, ...(required.length > 0 ? { required } : {}), additionalProperties: false };
  const triggers = request.triggers ?? target?.triggers ?? [];
  if (triggers.length > 0) {
    definition.triggers = triggers;
    report.triggers = triggers.map((t) => t.id);
  }
  definition.steps = finalSteps;
  if (execution !== undefined) definition.execution = execution;
  return { definition, report, problems };
}

function holdsTemplate(value: unknown): boolean {
  return typeof value === 'string' ? value.includes('{{') : value !== null && typeof value === 'object' && JSON.stringify(value).includes('{{');
}

function checkInputs(inputs: SavedInput[], problems: ErrorDetail[]): Set<string> {
  const names = new Set<string>();
  inputs.forEach((input, i) => {
    const at = `$.inputs[${i}]`;
    if (!INPUT_NAME_PATTERN.test(input.name)) {
      problems.push({ path: `${at}.name`, message: 'must match ^[A-Za-z0-9_-]{1,64}$ (letters, digits, _ and -)' });
      return;
    }
    if (names.has(input.name)) {
      problems.push({ path: `${at}.name`, message: `duplicate input "${input.name}"` });
      return;
    }
    if (input.type !== undefined && !(INPUT_TYPES as readonly string[]).includes(input.type)) {
      problems.push({ path: `${at}.type`, message: `must be one of ${INPUT_TYPES.join(', ')}` });
    }
    names.add(input.name);
  });
  return names;
}

/** A plan made from what the planner saw: the same steps will run whatever later runs see. */
function planChoseWarning(planner: StepDef, plan: StepDef[], report: FreezeReport): void {
  const seen = findTemplateReferences(planner.with, '$').filter((ref) => ref.root === 'steps' || ref.root === 'inputs');
  if (seen.length === 0) return;
  const what = [...new Set(seen.map((ref) => `{{ ${ref.expression} }}`))].join(', ');
  report.warnings.push({
    path: '$.steps',
    code: 'plan_chose',
    message: `planning step "${planner.id}" chose its ${plan.length} step${plan.length === 1 ? '' : 's'} from ${what} in the source run; runs of the saved automation get the same steps whatever they see (a different input does not get a different plan)`,
  });
}

/** Strings of a planned step that contain a source run input's value: the planner wrote it in literally. */
function literalInputs(step: StepDef, at: string, inputs: Record<string, unknown>, report: FreezeReport): void {
  const values = Object.entries(inputs).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].length >= 3);
  if (values.length === 0 || step.with === undefined) return;
  const visit = (value: unknown, path: string): void => {
    if (typeof value === 'string') {
      for (const [name, text] of values) {
        if (value.includes(text)) report.literals.push({ path, value: text, reason: `the plan wrote the source run's input "${name}" in literally; runs of the saved automation keep this text whatever their inputs` });
      }
    } else if (Array.isArray(value)) value.forEach((item, i) => visit(item, appendPath(path, i)));
    else if (isRecord(value)) for (const [key, item] of Object.entries(value)) visit(item, appendPath(path, key));
  };
  visit(step.with, `${at}.with`);
}
