/**
 * The template language (SPEC §4): `{{ root.path[0].x | pipe }}` inside strings of a step's `with:`,
 * a trigger's `inputs:` and `execution.concurrency_key`. Logic-less: a path lookup through own
 * properties of the scope, optionally piped through `json`. No code is ever evaluated.
 *
 * Substitution rules:
 * - A string that is exactly one placeholder (surrounding whitespace allowed) becomes the value
 *   itself, keeping its JSON type (`"{{ inputs.number }}"` → `42`).
 * - Otherwise each placeholder is interpolated: strings as is, numbers and booleans as text,
 *   `null` as `null`, objects and arrays as JSON.
 * - `\{{` writes a literal `{{`.
 * - Only string values are templated; object keys are left alone.
 */
import { ErrorCode, RotaError } from '../errors.js';
import { appendPath, isRecord } from './json-path.js';
import { formatPath, getPath, parsePath, type PathSegment } from './filter.js';
import { checkWalkDepth } from './json-depth.js';

export const TEMPLATE_ROOTS = ['inputs', 'data', 'headers', 'steps', 'run', 'secrets'] as const;
export const TEMPLATE_PIPES = ['json'] as const;

export interface TemplateScope {
  inputs?: unknown;
  data?: unknown;
  /** webhook trigger inputs: descriptive request headers, lower-case names */
  headers?: Record<string, string>;
  steps?: Record<string, { output: unknown }>;
  run?: Record<string, unknown>;
  secrets?: Record<string, string>;
}

export interface TemplateRef {
  /** JSON path of the string field holding the placeholder. */
  path: string;
  /** The placeholder's inner text, trimmed: `steps.fetch.output.body | json`. */
  expression: string;
  root: string;
  /** The full path, root included: `['steps', 'fetch', 'output', 'body']`. */
  segments: PathSegment[];
  pipes: string[];
  /** Set when the expression is malformed (bad path, unknown root or pipe). */
  problem?: string;
  /** the field's whole string is this one placeholder, so it resolves to the value's own type */
  whole?: boolean;
}

const PLACEHOLDER = /\\?\{\{([\s\S]*?)\}\}/g;
const WHOLE = /^\s*\{\{((?:(?!\}\})[\s\S])*)\}\}\s*$/;

interface Parsed {
  expression: string;
  root: string;
  segments: PathSegment[];
  pipes: string[];
  problem?: string;
}

function parseExpression(inner: string): Parsed {
  const expression = inner.trim();
  const [pathText = '', ...rawPipes] = expression.split('|').map((part) => part.trim());
  const pipes = rawPipes;
  const parsed: Parsed = { expression, root: '', segments: [], pipes };
  try {
    parsed.segments = parsePath(pathText);
    parsed.root = String(parsed.segments[0]);
  } catch (err) {
    parsed.problem = pathText === '' ? 'empty placeholder' : (err as Error).message;
    return parsed;
  }
  if (!(TEMPLATE_ROOTS as readonly string[]).includes(parsed.root)) {
    parsed.problem = `unknown root "${parsed.root}" (known: ${TEMPLATE_ROOTS.join(', ')})`;
  } else {
    const unknown = pipes.find((pipe) => !(TEMPLATE_PIPES as readonly string[]).includes(pipe));
    if (unknown !== undefined) parsed.problem = `unknown pipe "${unknown}" (known: ${TEMPLATE_PIPES.join(', ')})`;
  }
  return parsed;
}

/** True when the string contains at least one (unescaped) placeholder. */
export function hasTemplate(s: string): boolean {
  for (const match of s.matchAll(PLACEHOLDER)) if (!match[0].startsWith('\\')) return true;
  return false;
}

/** True when the string is exactly one placeholder, so it resolves to a typed value. */
export function isWholeTemplate(s: string): boolean {
  return WHOLE.test(s);
}

/** Every placeholder inside the strings of `value`, with the JSON path of its field. */
export function findTemplateReferences(value: unknown, basePath: string): TemplateRef[] {
  const refs: TemplateRef[] = [];
  walk(value, basePath, 0, (s, path) => {
    for (const match of s.matchAll(PLACEHOLDER)) {
      if (match[0].startsWith('\\')) continue;
      refs.push({ path, ...parseExpression(match[1]!), ...(WHOLE.test(s) ? { whole: true } : {}) });
    }
  });
  return refs;
}

function walk(value: unknown, path: string, depth: number, visit: (s: string, path: string) => void): void {
  checkWalkDepth(depth);
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, i) => walk(item, appendPath(path, i), depth + 1, visit));
  else if (isRecord(value)) for (const [key, item] of Object.entries(value)) walk(item, appendPath(path, key), depth + 1, visit);
}

/**
 * Resolves every placeholder inside `value` (a new value is returned; `value` is not changed).
 * Throws `RotaError(template_unresolved)` naming the expression when one cannot be resolved,
 * is malformed, or reads `secrets` without `allowSecrets`.
 */
export function resolveTemplates(value: unknown, scope: TemplateScope, opts: { allowSecrets?: boolean } = {}, depth = 0): unknown {
  checkWalkDepth(depth);
  if (typeof value === 'string') return resolveString(value, scope, opts.allowSecrets === true);
  if (Array.isArray(value)) return value.map((item) => resolveTemplates(item, scope, opts, depth + 1));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    // defineProperty, not assignment: a key named __proto__ must stay a plain data property.
    Object.defineProperty(out, key, { value: resolveTemplates(item, scope, opts, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function resolveString(s: string, scope: TemplateScope, allowSecrets: boolean): unknown {
  const whole = WHOLE.exec(s);
  if (whole) return structuredCloneSafe(evaluate(parseExpression(whole[1]!), scope, allowSecrets));
  if (!s.includes('{{')) return s;
  return s.replace(PLACEHOLDER, (match: string, inner: string) => {
    if (match.startsWith('\\')) return match.slice(1);
    return toText(evaluate(parseExpression(inner), scope, allowSecrets));
  });
}

function evaluate(parsed: Parsed, scope: TemplateScope, allowSecrets: boolean): unknown {
  const fail = (why: string): never => {
    throw new RotaError(ErrorCode.template_unresolved, `template {{ ${parsed.expression} }} ${why}`, {
      details: { expression: parsed.expression },
    });
  };
  if (parsed.problem !== undefined) fail(`is invalid: ${parsed.problem}`);
  if (parsed.root === 'secrets' && !allowSecrets) fail('is not allowed here: secrets may only be used in secret-capable fields');
  const roots: Record<string, unknown> = {
    inputs: scope.inputs,
    data: scope.data,
    headers: scope.headers,
    steps: scope.steps,
    run: scope.run,
    secrets: scope.secrets,
  };
  const found = getPath(roots, parsed.segments);
  if (!found.found) fail(`could not be resolved: ${describeMiss(roots, parsed.segments)}`);
  let result = found.value;
  for (const pipe of parsed.pipes) if (pipe === 'json') result = JSON.stringify(result);
  return result;
}

function describeMiss(roots: Record<string, unknown>, segments: PathSegment[]): string {
  for (let n = 1; n <= segments.length; n++) {
    if (!getPath(roots, segments.slice(0, n)).found) {
      const where = n === 1 ? `${segments[0]} is not available` : `no "${segments[n - 1]}" in ${pathText(segments.slice(0, n - 1))}`;
      return where;
    }
  }
  return 'value is undefined';
}

function pathText(segments: PathSegment[]): string {
  return segments.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('');
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function structuredCloneSafe(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}

/** What {@link rewriteTemplates} does with one placeholder. */
export type TemplateRewrite = { keep: true } | { path: PathSegment[] } | { value: unknown };

/**
 * `value` with chosen placeholders rewritten: to another path (`{ path }`, pipes kept), or to a
 * literal (`{ value }`, pipes applied; a whole-string placeholder keeps the value's JSON type).
 * Everything else, escapes and malformed placeholders included, stays as written. A literal whose
 * text holds `{{` would read as a template afterwards: callers refuse such values (freeze.ts).
 */
export function rewriteTemplates(value: unknown, rewrite: (ref: { root: string; segments: PathSegment[]; pipes: string[] }) => TemplateRewrite, depth = 0): unknown {
  checkWalkDepth(depth);
  if (typeof value === 'string') return rewriteString(value, rewrite);
  if (Array.isArray(value)) return value.map((item) => rewriteTemplates(item, rewrite, depth + 1));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(out, key, { value: rewriteTemplates(item, rewrite, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function rewriteString(s: string, rewrite: (ref: { root: string; segments: PathSegment[]; pipes: string[] }) => TemplateRewrite): unknown {
  if (!s.includes('{{')) return s;
  const apply = (inner: string): { text: string } | { value: unknown } | null => {
    const parsed = parseExpression(inner);
    if (parsed.problem !== undefined) return null;
    const action = rewrite(parsed);
    if ('keep' in action) return null;
    if ('path' in action) return { text: `{{ ${[formatPath(action.path), ...parsed.pipes].join(' | ')} }}` };
    let result = action.value;
    for (const pipe of parsed.pipes) if (pipe === 'json') result = JSON.stringify(result);
    return { value: result };
  };
  const whole = WHOLE.exec(s);
  if (whole) {
    const done = apply(whole[1]!);
    if (done !== null && 'value' in done) return done.value;
  }
  return s.replace(PLACEHOLDER, (match: string, inner: string) => {
    if (match.startsWith('\\')) return match;
    const done = apply(inner);
    if (done === null) return match;
    return 'text' in done ? done.text : toText(done.value);
  });
}
