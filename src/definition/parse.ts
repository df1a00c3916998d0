/**
 * From definition text to a checked Definition and its compiled Plan. Every problem is collected
 * (shape errors from zod and cross-field errors together) and thrown as one DefinitionError whose
 * `problems` carry a JSON path each (`$.steps[1].with.url`).
 *
 * @example
 * const { definition, plan } = parseDefinition(yamlText, (type) => registry.get(type));
 */
import { parseDocument } from 'yaml';
import type { ActionDefinition } from '../actions/types.js';
import { DefinitionError, type ErrorDetail } from '../errors.js';
import { checkNeeds, checkStep, checkStepIds, collectSteps, upstreamSets, type StepCheckContext } from './check-steps.js';
import { checkConcurrencyKey, checkTriggers } from './check-triggers.js';
import { isRecord } from './json-path.js';
import { zodProblems } from './zod-problems.js';
import { checkJsonSchema } from './json-schema.js';
import { buildPlan } from './plan.js';
import { checkPlanningSteps } from './planning.js';
import { inputsInfo } from './references.js';
import { definitionSchema } from './schema.js';
import type { Definition, Plan } from './types.js';
import { sha256Hex } from '../hash.js';
import { MAX_JSON_DEPTH, checkWalkDepth, jsonDepthProblem, yamlTooDeepAt } from './json-depth.js';

/** Resolves action types: a function, or a map-like registry (whose keys are listed in errors). */
export type ActionLookup =
  | ((type: string) => ActionDefinition | undefined)
  | { get(type: string): ActionDefinition | undefined; keys(): Iterable<string> };

/**
 * Parses YAML (default; it also reads JSON) or strict JSON into a plain value. Syntax errors,
 * duplicate keys and multiple documents throw a DefinitionError with line and column.
 */
export function parseDefinitionText(text: string, format: 'yaml' | 'json' = 'yaml'): unknown {
  if (format === 'json') return parseJson(text);
  const deep = yamlTooDeepAt(text);
  if (deep >= 0) {
    const before = text.slice(0, deep);
    const message = `line ${before.split('\n').length}, column ${deep - before.lastIndexOf('\n')}: collections nested deeper than ${MAX_JSON_DEPTH} levels`;
    throw new DefinitionError(`invalid YAML: ${message}`, [{ path: '$', message }]);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const problems = yamlProblems(doc.errors);
  if (problems.length > 0) throw new DefinitionError(`invalid YAML: ${problems[0]!.message}`, problems);
  try {
    return doc.toJS({ maxAliasCount: 100 }) as unknown;
  } catch (err) {
    const message = (err as Error).message;
    throw new DefinitionError(`invalid YAML: ${message}`, [{ path: '$', message }]);
  }
}

function yamlProblems(errors: { message: string; linePos?: [{ line: number; col: number }, ...unknown[]] }[]): ErrorDetail[] {
  return errors.map((error) => {
    const pos = error.linePos?.[0];
    const what = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    return { path: '$', message: pos ? `line ${pos.line}, column ${pos.col}: ${what}` : what };
  });
}

/** Strict JSON. V8's messages do not always carry a position, so the YAML parser locates the error. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const located = yamlProblems(parseDocument(text, { prettyErrors: true, uniqueKeys: true }).errors);
    const raw = (err as Error).message;
    const position = /at position (\d+)/.exec(raw);
    let message = located[0]?.message ?? raw;
    if (located.length === 0 && position) {
      const before = text.slice(0, Number(position[1]));
      message = `line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')}: ${raw}`;
    }
    throw new DefinitionError(`invalid JSON: ${message}`, [{ path: '$', message }]);
  }
}

/** Parses and compiles in one go; see `compileDefinition`. */
export function parseDefinition(text: string, actions: ActionLookup, format?: 'yaml' | 'json'): { definition: Definition; plan: Plan } {
  return compileDefinition(parseDefinitionText(text, format), actions);
}

/** Checks a raw definition completely and compiles it; throws one DefinitionError listing every problem. */
export function compileDefinition(raw: unknown, actions: ActionLookup, extra: ErrorDetail[] = []): { definition: Definition; plan: Plan } {
  // first: the checks below walk the value recursively
  const tooDeep = jsonDepthProblem(raw);
  if (tooDeep) throw new DefinitionError(`definition is invalid: nested deeper than ${MAX_JSON_DEPTH} levels at ${tooDeep.path}`, [tooDeep]);
  const { compiled, problems } = checkDefinition(raw, actions);
  problems.push(...extra);
  if (problems.length > 0 || compiled === null) throw invalidDefinition(problems);
  return compiled;
}

/**
 * Every problem of a raw definition in one pass: the cross-field checks (references, needs,
 * triggers) run on whatever parsed, also when the shape has errors. `compiled` is null unless the
 * definition is valid.
 */
export function checkDefinition(raw: unknown, actions: ActionLookup): { compiled: { definition: Definition; plan: Plan } | null; problems: ErrorDetail[] } {
  const tooDeep = jsonDepthProblem(raw);
  if (tooDeep) return { compiled: null, problems: [tooDeep] };
  const parsed = definitionSchema.safeParse(raw, { error: requiredMessage });
  const problems = parsed.success ? [] : zodProblems(parsed.error.issues);
  problems.push(...crossFieldProblems(raw, actions));
  const valid = problems.length === 0 && parsed.success;
  return { compiled: valid ? { definition: parsed.data, plan: buildPlan(parsed.data) } : null, problems };
}

/** One DefinitionError for a list of problems (deduplicated). */
export function invalidDefinition(problems: ErrorDetail[]): DefinitionError {
  const unique = dedupe(problems);
  return new DefinitionError(`definition is invalid: ${unique.length} problem${unique.length === 1 ? '' : 's'}`, unique);
}

function requiredMessage(issue: { code?: string; input?: unknown }): string | undefined {
  return issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : undefined;
}

function crossFieldProblems(raw: unknown, actions: ActionLookup): ErrorDetail[] {
  if (!isRecord(raw)) return [];
  const problems: ErrorDetail[] = [];
  const inputsSchema = isRecord(raw.inputs) ? raw.inputs : null;
  const schemaProblems = inputsSchema === null ? [] : checkInputsSchema(inputsSchema);
  problems.push(...schemaProblems);
  const inputs = inputsInfo(raw.inputs === undefined ? undefined : inputsSchema);
  problems.push(...checkTriggers(raw.triggers, schemaProblems.length === 0 ? inputsSchema : null, inputs));

  const execution = isRecord(raw.execution) ? raw.execution : {};
  const main = collectSteps(raw.steps, '$.steps', false);
  const onFailure = collectSteps(execution.on_failure, '$.execution.on_failure', true);
  problems.push(...checkStepIds([...main, ...onFailure]), ...checkNeeds(main, onFailure));

  const lookup = typeof actions === 'function' ? actions : (type: string) => actions.get(type);
  const ctx: StepCheckContext = {
    lookup,
    knownActions: typeof actions === 'function' ? null : [...actions.keys()].sort(),
    inputs,
    knownSteps: new Set([...main, ...onFailure].flatMap((step) => (step.id === undefined ? [] : [step.id]))),
  };
  const upstream = upstreamSets(main);
  const mainIds = main.flatMap((step) => (step.id === undefined ? [] : [step.id]));
  for (const step of main) problems.push(...checkStep(step, upstream.get(step.id ?? '') ?? new Set(), ctx));
  onFailure.forEach((step, i) => {
    // on_failure steps may read any main step and the on_failure steps before them.
    const before = onFailure.slice(0, i).flatMap((s) => (s.id === undefined ? [] : [s.id]));
    problems.push(...checkStep(step, new Set([...mainIds, ...before]), ctx));
  });
  problems.push(...checkConcurrencyKey(execution.concurrency_key, inputs));
  problems.push(...checkPlanningSteps(raw, lookup));
  return problems;
}

function checkInputsSchema(schema: Record<string, unknown>): ErrorDetail[] {
  const problems = checkJsonSchema(schema, '$.inputs');
  if (schema.type !== 'object') problems.push({ path: '$.inputs.type', message: 'the inputs schema must have type: object' });
  return problems;
}

function dedupe(problems: ErrorDetail[]): ErrorDetail[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** sha256 (hex) of the definition's canonical JSON (keys sorted): equal for unchanged definitions. */
export function definitionHash(definition: Definition): string {
  return sha256Hex(canonicalJson(definition));
}

export function canonicalJson(value: unknown, depth = 0): string {
  checkWalkDepth(depth);
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item, depth + 1))).join(',')}]`;
  if (isRecord(value)) {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => value[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key], depth + 1)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
