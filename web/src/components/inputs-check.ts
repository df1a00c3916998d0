/**
 * The run form's check in the browser, before anything is sent: the JSON Schema keywords a form's
 * inputs use, interpreted. Not Ajv: Ajv compiles every schema to a function with `new Function`,
 * which the UI's Content-Security-Policy (`script-src 'self'`, no `'unsafe-eval'`) refuses — and
 * allowing eval would let a crafted inputs schema (anyone with `automations:write`) reach code
 * generation in the browser of every admin who opens the page. The formats are ajv-formats' own
 * (plain regexps and functions), so they decide exactly as the server does.
 *
 * The server stays the authority (its Ajv checks again, and its errors land on the same fields),
 * so this check only ever reports what Ajv would report too: keywords it does not interpret
 * (`$ref`, `anyOf`, `oneOf`, `not`, `if`, `contains`, `unevaluated*`, `propertyNames`, ...) are
 * left to the server, never guessed at. Defaults are applied first, as the server's `useDefaults`.
 */
import { fullFormats } from 'ajv-formats/dist/formats.js';

export interface CheckDetail {
  path: string;
  message: string;
}

type Schema = Record<string, unknown>;

const MAX_DEPTH = 64;

function isRecord(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function appendPath(base: string, segment: string | number): string {
  if (typeof segment === 'number') return `${base}[${segment}]`;
  return /^[A-Za-z_$][\w$]*$/.test(segment) ? `${base}.${segment}` : `${base}[${JSON.stringify(segment)}]`;
}

/** JSON equality, as fast-deep-equal (Ajv's `enum`, `const`, `uniqueItems`) decides it for JSON values. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isRecord(value);
    default:
      return true;
  }
}

type FormatEntry = RegExp | ((s: string) => boolean) | { validate: RegExp | ((s: string) => boolean); type?: string } | true;

function formatProblem(format: unknown, value: unknown): boolean {
  if (typeof format !== 'string' || !Object.hasOwn(fullFormats, format)) return false;
  const entry = (fullFormats as Record<string, FormatEntry>)[format]!;
  if (entry === true) return false;
  const def = entry instanceof RegExp || typeof entry === 'function' ? { validate: entry, type: 'string' } : { type: 'string', ...entry };
  if ((def.type === 'number' && typeof value !== 'number') || (def.type !== 'number' && typeof value !== 'string')) return false;
  return def.validate instanceof RegExp ? !def.validate.test(String(value)) : !(def.validate as (v: unknown) => boolean)(value);
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkNumber(s: Schema, v: number, path: string, out: CheckDetail[]): void {
  if (num(s.minimum) && v < s.minimum) out.push({ path, message: `must be >= ${s.minimum}` });
  if (num(s.maximum) && v > s.maximum) out.push({ path, message: `must be <= ${s.maximum}` });
  if (num(s.exclusiveMinimum) && v <= s.exclusiveMinimum) out.push({ path, message: `must be > ${s.exclusiveMinimum}` });
  if (num(s.exclusiveMaximum) && v >= s.exclusiveMaximum) out.push({ path, message: `must be < ${s.exclusiveMaximum}` });
  // Ajv's own test (no multipleOfPrecision): the quotient must be an integer
  if (num(s.multipleOf) && s.multipleOf > 0 && v / s.multipleOf !== parseInt(String(v / s.multipleOf), 10)) out.push({ path, message: `must be multiple of ${s.multipleOf}` });
}

function checkString(s: Schema, v: string, path: string, out: CheckDetail[]): void {
  const length = [...v].length;
  if (num(s.minLength) && length < s.minLength) out.push({ path, message: `must NOT have fewer than ${s.minLength} characters` });
  if (num(s.maxLength) && length > s.maxLength) out.push({ path, message: `must NOT have more than ${s.maxLength} characters` });
  if (typeof s.pattern === 'string') {
    let re: RegExp | null = null;
    try {
      re = new RegExp(s.pattern, 'u');
    } catch {
      re = null;
    }
    if (re && !re.test(v)) out.push({ path, message: `must match pattern "${s.pattern}"` });
  }
}

function checkArray(s: Schema, v: unknown[], path: string, out: CheckDetail[], depth: number): void {
  const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : [];
  // Ajv may append `prefixItems` defaults to a short array: its length is then not known here
  if (!prefix.some((p) => isRecord(p) && 'default' in p)) checkLength(s, v, path, out);
  prefix.forEach((item, i) => {
    if (i < v.length) check(item, v[i], appendPath(path, i), out, depth + 1);
  });
  if (s.items !== undefined && !Array.isArray(s.items)) {
    for (let i = prefix.length; i < v.length; i++) check(s.items, v[i], appendPath(path, i), out, depth + 1);
  }
}

function checkLength(s: Schema, v: unknown[], path: string, out: CheckDetail[]): void {
  if (num(s.minItems) && v.length < s.minItems) out.push({ path, message: `must NOT have fewer than ${s.minItems} items` });
  if (num(s.maxItems) && v.length > s.maxItems) out.push({ path, message: `must NOT have more than ${s.maxItems} items` });
  if (s.uniqueItems === true && v.some((x, i) => v.findIndex((y) => jsonEqual(x, y)) !== i)) out.push({ path, message: 'must NOT have duplicate items' });
}

/** Keywords through which Ajv may fill in defaults on this same instance, out of this check's sight. */
const OPAQUE = ['$ref', '$dynamicRef', 'if', 'then', 'else', 'dependentSchemas', 'anyOf', 'oneOf'];

/**
 * The keys defaults may fill on an object under `schema`: its own `properties` defaults and, since
 * Ajv fills them in place while it walks `allOf`, those of every branch; `opaque` when some branch
 * is one this check does not follow (then any key may have been filled).
 */
export interface Filled {
  keys: Set<string>;
  opaque: boolean;
}

function filledBy(schema: unknown, into: Filled = { keys: new Set(), opaque: false }, depth = 0): Filled {
  if (!isRecord(schema) || depth > MAX_DEPTH) return into;
  if (OPAQUE.some((k) => k in schema)) into.opaque = true;
  if (isRecord(schema.properties)) {
    for (const [key, p] of Object.entries(schema.properties)) if (isRecord(p) && 'default' in p) into.keys.add(key);
  }
  if (Array.isArray(schema.allOf)) for (const sub of schema.allOf) filledBy(sub, into, depth + 1);
  return into;
}

function checkObject(s: Schema, v: Schema, path: string, out: CheckDetail[], depth: number, filled: Filled): void {
  const properties = isRecord(s.properties) ? s.properties : {};
  // this schema's own defaults are in place before its keywords run (Ajv assigns them first)
  const own: Schema = { ...v };
  for (const [key, p] of Object.entries(properties)) {
    if (!Object.hasOwn(own, key) && isRecord(p) && 'default' in p) own[key] = p.default;
  }
  const present = (key: string) => Object.hasOwn(own, key) || filled.keys.has(key);
  if (!filled.opaque) {
    if (Array.isArray(s.required)) {
      for (const key of s.required) if (typeof key === 'string' && !present(key)) out.push({ path: appendPath(path, key), message: 'is required' });
    }
    if (isRecord(s.dependentRequired)) {
      for (const [key, needs] of Object.entries(s.dependentRequired)) {
        if (!Object.hasOwn(own, key) || !Array.isArray(needs)) continue;
        for (const need of needs) if (typeof need === 'string' && !present(need)) out.push({ path: appendPath(path, need), message: `is required when ${key} is given` });
      }
    }
    // at least the keys there are, at most those plus every default that may be added
    const least = Object.keys(own).length;
    const most = new Set([...Object.keys(own), ...filled.keys]).size;
    if (num(s.minProperties) && most < s.minProperties) out.push({ path, message: `must NOT have fewer than ${s.minProperties} properties` });
    if (num(s.maxProperties) && least > s.maxProperties) out.push({ path, message: `must NOT have more than ${s.maxProperties} properties` });
  }
  const patterns: [RegExp, unknown][] = [];
  if (isRecord(s.patternProperties)) {
    for (const [source, p] of Object.entries(s.patternProperties)) {
      try {
        patterns.push([new RegExp(source, 'u'), p]);
      } catch {
        return; // a pattern this browser cannot compile: the server decides about every key
      }
    }
  }
  for (const [key, value] of Object.entries(own)) {
    const at = appendPath(path, key);
    let known = false;
    if (Object.hasOwn(properties, key)) {
      known = true;
      check(properties[key], value, at, out, depth + 1);
    }
    for (const [re, p] of patterns) {
      if (re.test(key)) {
        known = true;
        check(p, value, at, out, depth + 1);
      }
    }
    if (known || s.additionalProperties === undefined || s.additionalProperties === true) continue;
    if (s.additionalProperties === false) out.push({ path: at, message: 'is not an allowed property' });
    else check(s.additionalProperties, value, at, out, depth + 1);
  }
}

function check(schema: unknown, value: unknown, path: string, out: CheckDetail[], depth: number, inherited?: Filled): void {
  if (depth > MAX_DEPTH) return;
  if (schema === false) {
    out.push({ path, message: 'is not allowed' });
    return;
  }
  if (!isRecord(schema)) return;
  const types = typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? schema.type.filter((t): t is string => typeof t === 'string') : [];
  // Ajv honours OpenAPI's `nullable: true` beside a `type`
  const nullable = schema.nullable === true && value === null;
  if (types.length > 0 && !nullable && !types.some((t) => hasType(value, t))) {
    out.push({ path, message: `must be ${types.join(',')}` });
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => jsonEqual(e, value))) {
    out.push({ path, message: `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}` });
  }
  if ('const' in schema && !jsonEqual(schema.const, value)) out.push({ path, message: `must be equal to ${JSON.stringify(schema.const)}` });
  if (num(value)) checkNumber(schema, value, path, out);
  if (typeof value === 'string') {
    checkString(schema, value, path, out);
    if (formatProblem(schema.format, value)) out.push({ path, message: `must match format "${String(schema.format)}"` });
  }
  if (typeof value === 'number' && formatProblem(schema.format, value)) out.push({ path, message: `must match format "${String(schema.format)}"` });
  if (Array.isArray(value)) checkArray(schema, value, path, out, depth);
  // every branch of an allOf sees the defaults its siblings (and this schema) may fill in
  const filled = isRecord(value) ? filledBy(schema, inherited ? { keys: new Set(inherited.keys), opaque: inherited.opaque } : undefined) : undefined;
  if (isRecord(value)) checkObject(schema, value, path, out, depth, filled!);
  if (Array.isArray(schema.allOf)) for (const sub of schema.allOf) check(sub, value, path, out, depth + 1, filled);
}

/** The problems of `inputs` under `schema`, as `{path, message}` with the server's JSON paths; [] when none is certain. */
export function checkInputs(schema: unknown, inputs: unknown): CheckDetail[] {
  const out: CheckDetail[] = [];
  check(schema, inputs, '$', out, 0);
  const seen = new Set<string>();
  return out.filter((d) => {
    const key = `${d.path}\u0000${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
