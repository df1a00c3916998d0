/**
 * Static checks of template references and filter paths: is the root allowed at this place, is the
 * input declared, is the step upstream. Each check returns a message, or null when fine.
 */
import type { PathSegment } from './filter.js';
import { isRecord } from './json-path.js';
import { findTemplateReferences } from './template.js';

export const RUN_FIELDS = ['id', 'automation', 'version', 'attempt', 'trigger'] as const;

/** What the inputs schema declares; `closed` means only `declared` names exist. */
export interface InputsInfo {
  closed: boolean;
  declared: Set<string>;
  /** No `inputs:` schema at all: no input exists until one is declared. */
  undeclared?: boolean;
}

export interface ReferenceContext {
  /** Roots usable here, each with the reason shown when another root is used. */
  roots: string[];
  placeName: string;
  inputs: InputsInfo;
  /** Step ids defined anywhere, and those upstream of the current place. */
  knownSteps: Set<string>;
  upstream: Set<string>;
  currentStep?: string;
  runFields: readonly string[];
  /** Top-level `with:` fields where secrets are allowed (only relevant when `secrets` is a root). */
  secretFields?: string[];
}

export function inputsInfo(schema: unknown): InputsInfo {
  if (schema === undefined) return { closed: true, declared: new Set(), undeclared: true };
  if (!isRecord(schema) || !isRecord(schema.properties)) return { closed: false, declared: new Set() };
  const extra = schema.additionalProperties;
  const closed = extra !== true && !isRecord(extra) && schema.patternProperties === undefined;
  return { closed, declared: new Set(Object.keys(schema.properties)) };
}

const ROOT_HINTS: Record<string, string> = {
  data: 'data.* (the activation) is only available in trigger inputs and filters; map what a step needs into inputs',
  steps: 'step outputs are not available here',
  inputs: 'inputs are not available here',
  secrets: 'secrets are only allowed in secret-capable fields of an action',
  run: 'run.* is not available here',
};

export function checkReference(segments: PathSegment[], ctx: ReferenceContext): string | null {
  const root = String(segments[0]);
  if (!ctx.roots.includes(root)) return `${ROOT_HINTS[root] ?? `unknown root "${root}"`} (in ${ctx.placeName})`;
  const name = segments[1];
  switch (root) {
    case 'inputs':
      if (name !== undefined && ctx.inputs.undeclared) {
        return `input "${name}" is not declared: this definition has no inputs schema; declare it under inputs: (inputs: {type: object, properties: {${name}: {type: string}}})`;
      }
      if (name !== undefined && ctx.inputs.closed && !ctx.inputs.declared.has(String(name))) {
        return `input "${name}" is not declared in inputs.properties`;
      }
      return null;
    case 'steps':
      return checkStepReference(segments, ctx);
    case 'run':
      if (name === undefined || !ctx.runFields.includes(String(name))) return `run has no field "${name ?? ''}" (known: ${ctx.runFields.join(', ')})`;
      return null;
    case 'secrets':
      return name === undefined || segments.length !== 2 ? 'use {{ secrets.NAME }}' : null;
    default:
      return null;
  }
}

function checkStepReference(segments: PathSegment[], ctx: ReferenceContext): string | null {
  const id = segments[1];
  if (id === undefined) return 'step outputs are addressed as steps.<id>.output';
  if (segments[2] !== 'output' && !ctx.knownSteps.has(String(id))) {
    // a namespaced id written with dots: steps.research.fetch.output
    for (let n = 3; n < segments.length; n++) {
      const joined = segments.slice(1, n).join('.');
      if (ctx.knownSteps.has(joined) && segments[n] === 'output') return `step ids with dots are addressed in brackets: steps["${joined}"].output`;
    }
  }
  if (segments[2] !== 'output') return 'step outputs are addressed as steps.<id>.output';
  const step = String(id);
  if (step === ctx.currentStep) return `step "${step}" cannot reference its own output`;
  if (!ctx.knownSteps.has(step)) return `unknown step "${step}"`;
  if (!ctx.upstream.has(step)) {
    return `step "${step}" is not upstream of ${ctx.currentStep === undefined ? 'this place' : `step "${ctx.currentStep}"`}; add it to needs`;
  }
  return null;
}

/** Every `{{ secrets.NAME }}` in the steps' `with:` (main and on_failure), with its JSON path. */
export function secretReferences(definition: { steps?: unknown; execution?: { on_failure?: unknown } }): { path: string; name: string }[] {
  const out: { path: string; name: string }[] = [];
  const lists: [unknown, string][] = [
    [definition.steps, '$.steps'],
    [definition.execution?.on_failure, '$.execution.on_failure'],
  ];
  for (const [steps, base] of lists) {
    if (!Array.isArray(steps)) continue;
    steps.forEach((step, i) => {
      if (!isRecord(step)) return;
      for (const ref of findTemplateReferences(step.with, `${base}[${i}].with`)) {
        const name = ref.segments[1];
        if (ref.root === 'secrets' && typeof name === 'string') out.push({ path: ref.path, name });
      }
    });
  }
  return out;
}
