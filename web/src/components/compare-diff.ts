/** Pure helpers of the compare view: JSON values flattened to leaf paths, and steps aligned by id. */
import type { StepView } from '../../../src/client/index.js';

/** At most this many leaves of a value are compared (a huge output is summarized, not rendered). */
export const MAX_LEAVES = 400;

export interface Leaf {
  path: string;
  /** the value as JSON text; undefined when this side has no such path */
  a?: string;
  b?: string;
  same: boolean;
}

function flattenInto(value: unknown, path: string, out: Map<string, string>): void {
  if (out.size >= MAX_LEAVES) return;
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) {
      out.set(path || '(value)', Array.isArray(value) ? '[]' : '{}');
      return;
    }
    for (const [key, child] of entries) flattenInto(child, Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key, out);
    return;
  }
  out.set(path || '(value)', value === undefined ? 'undefined' : JSON.stringify(value));
}

/** Leaf path → JSON text; null and undefined (a step that produced nothing) have no leaves. */
export function flatten(value: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (value !== undefined && value !== null) flattenInto(value, '', out);
  return out;
}

/** Every leaf path of either value, in A's order then B's, with both sides. */
export function diffLeaves(a: unknown, b: unknown): Leaf[] {
  const fa = flatten(a);
  const fb = flatten(b);
  const paths = [...fa.keys(), ...[...fb.keys()].filter((k) => !fa.has(k))];
  return paths.map((path) => ({ path, a: fa.get(path), b: fb.get(path), same: fa.get(path) === fb.get(path) }));
}

export function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export interface AlignedStep {
  id: string;
  a?: StepView;
  b?: StepView;
}

/**
 * The steps of both runs, one row per step id: A's order, with each step only B ran placed after
 * the step B ran before it.
 */
export function alignSteps(a: StepView[], b: StepView[]): AlignedStep[] {
  const byB = new Map(b.map((s) => [s.id, s]));
  const rows: AlignedStep[] = a.map((s) => ({ id: s.id, a: s, b: byB.get(s.id) }));
  const inA = new Set(a.map((s) => s.id));
  b.forEach((step, i) => {
    if (inA.has(step.id)) return;
    const before = i === 0 ? -1 : rows.findIndex((r) => r.id === b[i - 1]!.id);
    rows.splice(before + 1, 0, { id: step.id, b: step });
  });
  return rows;
}

/** Does this step differ between the runs in what it did (status, output, error, attempts)? */
export function stepDiffers(row: AlignedStep): boolean {
  if (!row.a || !row.b) return true;
  return row.a.status !== row.b.status || row.a.attempt !== row.b.attempt || !sameJson(row.a.output, row.b.output) || !sameJson(row.a.error, row.b.error) || !sameJson(row.a.input, row.b.input);
}

/**
 * Whether two durations differ enough to say so: run times always wobble by some milliseconds, so
 * only a change of half again or more, and of at least 100 ms, counts.
 */
export function durationsDiffer(a: number | null, b: number | null): boolean {
  if (a === null || b === null) return a !== b;
  const [low, high] = a < b ? [a, b] : [b, a];
  return high - low >= 100 && high >= low * 1.5;
}

/** A run id out of what was pasted: the id itself, or a link to the run. */
export function runIdOf(text: string): string {
  const trimmed = text.trim();
  const fromUrl = /\/runs\/([A-Za-z0-9_-]+)/.exec(trimmed);
  return fromUrl ? fromUrl[1]! : trimmed;
}
