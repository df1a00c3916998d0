/**
 * How deep user JSON may nest. Request bodies, webhook payloads, events and definitions are
 * checked against MAX_JSON_DEPTH where they enter, with an error naming the path; the walkers
 * over JSON (templates, filters, hashing) stop at MAX_WALK_DEPTH, so a value that got past every
 * entry (an action's output, a row written before the bound) fails cleanly instead of
 * overflowing the stack: native JSON.stringify already overflowed at ~5,000 levels here.
 */
import { ErrorCode, RotaError, ValidationError, type ErrorDetail } from '../errors.js';
import { appendPath } from './json-path.js';

export const MAX_JSON_DEPTH = 100;
export const MAX_WALK_DEPTH = 1_000;

interface Frame {
  value: object;
  depth: number;
  parent: Frame | null;
  key: string | number;
}

/** The path of the first object or array nested deeper than `max` levels, or null. Iterative. */
export function jsonTooDeepAt(value: unknown, max = MAX_JSON_DEPTH, base = '$'): string | null {
  if (value === null || typeof value !== 'object' || !exceeds(value, max)) return null;
  // Only for a value that is too deep: the walk again, keeping parents to name the path.
  const stack: Frame[] = [{ value, depth: 1, parent: null, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.depth > max) return framePath(frame, base);
    const entries: [string | number, unknown][] = Array.isArray(frame.value) ? frame.value.map((v, i) => [i, v]) : Object.entries(frame.value);
    for (const [key, child] of entries) {
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: frame.depth + 1, parent: frame, key });
    }
  }
  return null;
}

/**
 * The check every body pays, without allocating per container: a 1 MiB body of 80,000 small
 * objects took ~15 ms here (JSON.parse + stringify of it ~40 ms), a typical webhook payload 0.2 µs.
 */
function exceeds(root: object, max: number): boolean {
  const values: object[] = [root];
  const depths: number[] = [1];
  while (values.length > 0) {
    const value = values.pop()!;
    const depth = depths.pop()!;
    if (depth > max) return true;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const child: unknown = value[i];
        if (child !== null && typeof child === 'object') {
          values.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in value) {
        const child: unknown = (value as Record<string, unknown>)[key];
        if (child !== null && typeof child === 'object') {
          values.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

function framePath(frame: Frame, base: string): string {
  const keys: (string | number)[] = [];
  for (let f: Frame | null = frame; f?.parent; f = f.parent) keys.push(f.key);
  let path = base;
  for (const key of keys.reverse()) {
    path = appendPath(path, key);
    if (path.length > 300) return `${path}…`;
  }
  return path;
}

/** The problem with a value nested too deep, for an error's details, or null. */
export function jsonDepthProblem(value: unknown, base = '$'): ErrorDetail | null {
  const at = jsonTooDeepAt(value, MAX_JSON_DEPTH, base);
  return at === null ? null : { path: at, message: `JSON nested deeper than ${MAX_JSON_DEPTH} levels; flatten the value` };
}

/** Throws a 400 `invalid_request` naming the limit and the path when `value` nests too deep. */
export function assertJsonDepth(value: unknown, what = 'the body', base = '$'): void {
  const problem = jsonDepthProblem(value, base);
  if (problem) throw new ValidationError(`${what} is JSON nested deeper than ${MAX_JSON_DEPTH} levels at ${problem.path}`, [problem]);
}

/**
 * Offset in YAML text where collections open more than `max` levels deep, or -1: `[`/`{` flow
 * collections, and compact block sequences on one line (`- - - x`). Checked before parsing: the
 * YAML parser recurses on both (a stack overflow at ~3,000 levels; 400,000 in an 800 KB body once
 * exhausted the heap and killed the process). Block nesting by indentation needs no check: 1 MiB
 * holds ~1,400 levels, which the parser reports as an error. Quotes are not tracked: brackets in
 * strings count too, which only matters past 100 unclosed ones.
 */
export function yamlTooDeepAt(text: string, max = MAX_JSON_DEPTH): number {
  let flow = 0;
  let lineStart = true;
  let chain = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) {
      lineStart = true;
      chain = 0;
    } else if (lineStart && (c === 0x2d || c === 0x3f) && (i + 1 === text.length || text.charCodeAt(i + 1) <= 0x20)) {
      if (++chain > max) return i;
    } else if (c === 0x5b || c === 0x7b) {
      lineStart = false;
      if (++flow > max) return i;
    } else if ((c === 0x5d || c === 0x7d) && flow > 0) {
      lineStart = false;
      flow--;
    } else if (c !== 0x20 && c !== 0x09 && c !== 0x0d) lineStart = false;
  }
  return -1;
}

/** For the recursive walkers: call with the depth about to be entered. */
export function checkWalkDepth(depth: number): void {
  if (depth > MAX_WALK_DEPTH) throw new RotaError(ErrorCode.invalid_request, `JSON nested deeper than ${MAX_WALK_DEPTH} levels`);
}
