/**
 * Filters (SPEC §4) decide whether a trigger fires (`filter:`) and whether a step runs (`if:`).
 * They are data: `{ "data.action": "opened", "data.issue.comments": { $gt: 3 } }`, an implicit AND
 * of path conditions, plus `$and`, `$or`, `$not` at any object level.
 *
 * Semantics: a path that does not resolve (missing field, wrong container type) makes every
 * operator false except `$exists: false`; that includes `$ne` and `$nin`, so "not equal" never
 * matches an absent field. Comparisons (`$gt`...) hold only between two numbers or two strings.
 * Equality is deep (objects by keys, arrays by order). An array field is compared as a whole, not
 * element-wise. Evaluation never throws; a malformed filter (caught by `validateFilter` when the
 * definition is saved) simply does not match.
 */
import type { ErrorDetail } from '../errors.js';
import type { Filter } from './types.js';
import { appendPath, isRecord } from './json-path.js';
import { MAX_WALK_DEPTH } from './json-depth.js';

export type PathSegment = string | number;

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);
const SEGMENT = /[^\s.[\]|{}"'\\]+/y;

/** Parses `a.b[0].c` (or `a["b.c"]`) into segments; throws `Error` on bad syntax. */
export function parsePath(text: string): PathSegment[] {
  const fail = (why: string): never => {
    throw new Error(`invalid path "${text}": ${why}`);
  };
  const segments: PathSegment[] = [];
  let i = 0;
  do {
    if (segments.length > 0 && text[i] === '[') {
      const close = text.indexOf(']', i);
      if (close < 0) fail('unclosed "["');
      segments.push(bracketSegment(text.slice(i + 1, close), fail));
      i = close + 1;
      continue;
    }
    if (segments.length > 0) {
      if (text[i] !== '.') fail(`unexpected "${text.slice(i)}"`);
      i++;
    }
    SEGMENT.lastIndex = i;
    const match = SEGMENT.exec(text);
    if (!match) fail(i >= text.length ? 'a name is missing' : `unexpected "${text.slice(i)}"`);
    segments.push(match![0]);
    i = SEGMENT.lastIndex;
  } while (i < text.length);
  for (const segment of segments) {
    if (typeof segment === 'string' && FORBIDDEN.has(segment)) fail(`"${segment}" is not addressable`);
  }
  return segments;
}

function bracketSegment(inner: string, fail: (why: string) => never): PathSegment {
  if (/^\d+$/.test(inner)) return Number(inner);
  if (/^"(?:[^"\\]|\\.)*"$/.test(inner)) {
    try {
      return JSON.parse(inner) as string;
    } catch {
      // fall through to the error below
    }
  }
  return fail(`bad index [${inner}] (use [0] or ["key"])`);
}

/** Like `parsePath`, but returns null instead of throwing. */
export function tryParsePath(text: string): PathSegment[] | null {
  try {
    return parsePath(text);
  } catch {
    return null;
  }
}

/** Looks a path up through own properties only; prototype members never resolve. */
export function getPath(obj: unknown, segments: readonly PathSegment[]): { found: boolean; value: unknown } {
  let current = obj;
  for (const segment of segments) {
    if (Array.isArray(current)) {
      const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
      if (!Number.isSafeInteger(index) || index < 0 || index >= current.length) return { found: false, value: undefined };
      current = current[index];
    } else if (isRecord(current) && typeof segment === 'string' && !FORBIDDEN.has(segment) && Object.hasOwn(current, segment)) {
      current = current[segment];
    } else {
      return { found: false, value: undefined };
    }
  }
  return current === undefined ? { found: false, value: undefined } : { found: true, value: current };
}

/** Values nested deeper than MAX_WALK_DEPTH compare unequal (a filter never throws). */
export function deepEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (depth > MAX_WALK_DEPTH) return false;
  if (typeof a === 'number' && typeof b === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i], depth + 1));
  }
  if (!isRecord(a) || !isRecord(b) || Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key], depth + 1));
}

// ---------------------------------------------------------------------------------------------
// Evaluation

const OPERATORS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$prefix'] as const;
type Operator = (typeof OPERATORS)[number];
const LOGICAL = ['$and', '$or', '$not'] as const;

/** True when `scope` matches `filter`. Never throws, whatever JSON both are. */
export function evaluateFilter(filter: Filter, scope: unknown): boolean {
  try {
    return matches(filter, scope, 0);
  } catch {
    return false; // e.g. a stack overflow on an absurdly deep filter
  }
}

function matches(filter: unknown, scope: unknown, depth: number): boolean {
  if (!isRecord(filter) || depth > 64) return false;
  for (const [key, condition] of Object.entries(filter)) {
    if (!matchesEntry(key, condition, scope, depth)) return false;
  }
  return true;
}

function matchesEntry(key: string, condition: unknown, scope: unknown, depth: number): boolean {
  switch (key) {
    case '$and':
      return Array.isArray(condition) && condition.every((sub) => matches(sub, scope, depth + 1));
    case '$or':
      return Array.isArray(condition) && condition.some((sub) => matches(sub, scope, depth + 1));
    case '$not':
      return isRecord(condition) && !matches(condition, scope, depth + 1);
  }
  if (key.startsWith('$')) return false;
  const segments = tryParsePath(key);
  if (!segments) return false;
  const field = getPath(scope, segments);
  if (!isOperatorObject(condition)) return field.found && deepEqual(field.value, condition);
  return Object.entries(condition).every(([op, operand]) => applyOperator(op, operand, field));
}

function isOperatorObject(value: unknown): value is Record<string, unknown> {
  return isRecord(value) && Object.keys(value).some((key) => key.startsWith('$'));
}

function applyOperator(op: string, operand: unknown, field: { found: boolean; value: unknown }): boolean {
  if (op === '$exists') return typeof operand === 'boolean' && field.found === operand;
  if (!field.found) return false;
  const value = field.value;
  switch (op as Operator) {
    case '$eq':
      return deepEqual(value, operand);
    case '$ne':
      return !deepEqual(value, operand);
    case '$gt':
      return comparable(value, operand) && (value as number) > (operand as number);
    case '$gte':
      return comparable(value, operand) && (value as number) >= (operand as number);
    case '$lt':
      return comparable(value, operand) && (value as number) < (operand as number);
    case '$lte':
      return comparable(value, operand) && (value as number) <= (operand as number);
    case '$in':
      return Array.isArray(operand) && operand.some((item) => deepEqual(value, item));
    case '$nin':
      return Array.isArray(operand) && !operand.some((item) => deepEqual(value, item));
    case '$prefix':
      return typeof value === 'string' && typeof operand === 'string' && value.startsWith(operand);
    default:
      return false;
  }
}

function comparable(a: unknown, b: unknown): boolean {
  return (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string');
}

// ---------------------------------------------------------------------------------------------
// Validation (at definition save time)

const OPERAND_CHECKS: Record<Operator, { ok: (v: unknown) => boolean; needs: string }> = {
  $eq: { ok: () => true, needs: 'any value' },
  $ne: { ok: () => true, needs: 'any value' },
  $gt: { ok: isNumberOrString, needs: 'a number or a string' },
  $gte: { ok: isNumberOrString, needs: 'a number or a string' },
  $lt: { ok: isNumberOrString, needs: 'a number or a string' },
  $lte: { ok: isNumberOrString, needs: 'a number or a string' },
  $in: { ok: Array.isArray, needs: 'an array' },
  $nin: { ok: Array.isArray, needs: 'an array' },
  $exists: { ok: (v) => typeof v === 'boolean', needs: 'a boolean' },
  $prefix: { ok: (v) => typeof v === 'string', needs: 'a string' },
};

function isNumberOrString(value: unknown): boolean {
  return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'string';
}

/** A path condition of a filter, with the JSON path of its key; see `collectFilterPaths`. */
export interface FilterPath {
  path: string;
  key: string;
  segments: PathSegment[];
}

/** Every problem of a filter: shape, operators, operands, path syntax, path roots. */
export function validateFilter(filter: unknown, path: string, allowedRoots: string[]): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  walkFilter(filter, path, problems, [], 0);
  return problems.concat(
    collectFilterPaths(filter, path)
      .filter((entry) => !allowedRoots.includes(String(entry.segments[0])))
      .map((entry) => ({
        path: entry.path,
        message: `unknown path root "${entry.segments[0]}" (allowed here: ${allowedRoots.join(', ')})`,
      })),
  );
}

/** The well-formed path conditions of a filter, for callers that check the paths further. */
export function collectFilterPaths(filter: unknown, path: string): FilterPath[] {
  const out: FilterPath[] = [];
  walkFilter(filter, path, [], out, 0);
  return out;
}

function walkFilter(filter: unknown, path: string, problems: ErrorDetail[], paths: FilterPath[], depth: number): void {
  if (!isRecord(filter)) {
    problems.push({ path, message: 'a filter must be an object of conditions' });
    return;
  }
  if (depth > 32) {
    problems.push({ path, message: 'filter is nested too deeply' });
    return;
  }
  for (const [key, condition] of Object.entries(filter)) {
    const at = appendPath(path, key);
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(condition) || condition.length === 0) problems.push({ path: at, message: `${key} needs a non-empty array of filters` });
      else condition.forEach((sub, i) => walkFilter(sub, appendPath(at, i), problems, paths, depth + 1));
    } else if (key === '$not') {
      walkFilter(condition, at, problems, paths, depth + 1);
    } else if (key.startsWith('$')) {
      problems.push({ path: at, message: `unknown logical operator "${key}" (known: ${LOGICAL.join(', ')})` });
    } else {
      walkCondition(key, condition, at, problems, paths);
    }
  }
}

function walkCondition(key: string, condition: unknown, at: string, problems: ErrorDetail[], paths: FilterPath[]): void {
  try {
    paths.push({ path: at, key, segments: parsePath(key) });
  } catch (err) {
    problems.push({ path: at, message: (err as Error).message });
  }
  if (!isOperatorObject(condition)) return;
  for (const [op, operand] of Object.entries(condition)) {
    const opPath = appendPath(at, op);
    if (!op.startsWith('$')) {
      problems.push({ path: opPath, message: 'operators and plain keys cannot be mixed; use { $eq: {...} } to match an object' });
    } else if (!(OPERATORS as readonly string[]).includes(op)) {
      problems.push({ path: opPath, message: `unknown operator "${op}" (known: ${OPERATORS.join(' ')})` });
    } else if (!OPERAND_CHECKS[op as Operator].ok(operand)) {
      problems.push({ path: opPath, message: `${op} needs ${OPERAND_CHECKS[op as Operator].needs}` });
    }
  }
}

/** Segments back to path text: `steps["plan.fetch"].output.items[0]` (quoted where a name needs it). */
export function formatPath(segments: PathSegment[]): string {
  return segments
    .map((seg, i) => {
      if (typeof seg === 'number') return `[${seg}]`;
      SEGMENT.lastIndex = 0;
      const match = SEGMENT.exec(seg);
      const plain = match !== null && match[0] === seg;
      if (!plain) return `[${JSON.stringify(seg)}]`;
      return i === 0 ? seg : `.${seg}`;
    })
    .join('');
}

/**
 * The filter with every condition's path passed through `map` (null keeps it), at any depth of
 * `$and`, `$or` and `$not`. A path that does not parse is kept as it is.
 */
export function mapFilterPaths(filter: unknown, map: (segments: PathSegment[]) => PathSegment[] | null, depth = 0): unknown {
  if (!isRecord(filter) || depth > 32) return filter;
  const out: Record<string, unknown> = {};
  for (const [key, condition] of Object.entries(filter)) {
    let target = key;
    let value = condition;
    if ((key === '$and' || key === '$or') && Array.isArray(condition)) value = condition.map((sub) => mapFilterPaths(sub, map, depth + 1));
    else if (key === '$not') value = mapFilterPaths(condition, map, depth + 1);
    else if (!key.startsWith('$')) {
      try {
        const mapped = map(parsePath(key));
        if (mapped !== null) target = formatPath(mapped);
      } catch {
        // not a path: left for validateFilter to report
      }
    }
    if (target === '$and' && Array.isArray(out.$and) && Array.isArray(value)) {
      out.$and = [...value, ...(out.$and as unknown[])];
      continue;
    }
    if (Object.hasOwn(out, target)) {
      // two spellings of one path (`a.b` and `a["b"]`): both conditions hold, as before
      const both = { $and: [{ [target]: out[target] }, { [target]: value }] };
      delete out[target];
      out.$and = Array.isArray(out.$and) ? [...(out.$and as unknown[]), both] : [both];
      continue;
    }
    Object.defineProperty(out, target, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
