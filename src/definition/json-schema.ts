/**
 * JSON Schema validation for inputs, action configs and outputs. One shared Ajv instance
 * (2020-12, with the draft-07 meta schema added so `$schema: draft-07` schemas work too).
 * Error paths are JSON paths (`$.a.b[0]`), like every other error detail of a definition.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { createRequire } from 'node:module';
import type { ErrorDetail } from '../errors.js';
import { appendPath, isRecord, pointerToJsonPath } from './json-path.js';
import { checkWalkDepth } from './json-depth.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const draft07 = createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-07.json') as Record<string, unknown>;

export const DRAFT_2020_12 = 'https://json-schema.org/draft/2020-12/schema';
export const DRAFT_07 = 'http://json-schema.org/draft-07/schema';
const KNOWN_DIALECTS = new Set([DRAFT_2020_12, `${DRAFT_2020_12}#`, DRAFT_07, `${DRAFT_07}#`]);

// addUsedSchema:false keeps user schemas out of Ajv's id registry, so two definitions using the
// same `$id` with different content never collide.
const ajv = new Ajv2020({ allErrors: true, strict: false, useDefaults: true, addUsedSchema: false });
addFormats(ajv);
ajv.addMetaSchema(draft07);

const MAX_CACHED = 500;
const byIdentity = new WeakMap<object, ValidateFunction>();
const byJson = new Map<string, ValidateFunction>();

export interface ValidationResult {
  ok: boolean;
  /** A deep copy of the input with schema defaults applied. */
  value: unknown;
  errors: ErrorDetail[];
}

/** Checks that `schema` is a JSON Schema (2020-12, or draft-07 via `$schema`); [] when it is. */
export function checkJsonSchema(schema: unknown, path: string): ErrorDetail[] {
  if (typeof schema === 'boolean') return [];
  if (!isRecord(schema)) return [{ path, message: 'must be a JSON Schema (an object or a boolean)' }];
  const dialect = schema.$schema;
  if (dialect !== undefined && (typeof dialect !== 'string' || !KNOWN_DIALECTS.has(dialect))) {
    return [{ path: appendPath(path, '$schema'), message: `unsupported $schema (use ${DRAFT_2020_12} or ${DRAFT_07})` }];
  }
  if (!ajv.validateSchema(schema)) {
    // One problem per location: a bad `type` otherwise yields enum + array + anyOf errors.
    const firstPerPath = new Map<string, ErrorDetail>();
    for (const detail of toErrorDetails(ajv.errors ?? [], schema, path)) {
      if (!firstPerPath.has(detail.path)) firstPerPath.set(detail.path, detail);
    }
    return [...firstPerPath.values()];
  }
  try {
    compile(schema);
  } catch (err) {
    return [{ path, message: `invalid JSON Schema: ${(err as Error).message}` }];
  }
  return [];
}

/** Validates `value` against `schema` without touching `value`; throws only for an invalid schema. */
export function validateValue(schema: unknown, value: unknown): ValidationResult {
  const validate = compile(schema);
  const copy = cloneJson(value);
  const valid = runValidator(validate, copy, '$');
  if (valid === true) return { ok: true, value: copy, errors: [] };
  return { ok: false, value: copy, errors: valid === false ? toErrorDetails(validate.errors ?? [], copy) : [valid] };
}

/**
 * Runs a compiled validator. Ajv's generated code throws on a few valid schemas (defaults inside
 * nested `anyOf` with `patternProperties`): the value is then refused with the reason at `path`,
 * never thrown (an API call would answer 500).
 */
function runValidator(validate: ValidateFunction, value: unknown, path: string): boolean | ErrorDetail {
  try {
    return validate(value) as boolean;
  } catch (err) {
    return { path, message: `the schema could not be checked against this value (${(err as Error).message}); simplify the schema (its anyOf/patternProperties nesting) or the value` };
  }
}

/**
 * Validates run inputs. Without a schema any object is accepted (and `undefined` means `{}`);
 * with one, `undefined` is validated as `{}` so that defaults and `required` apply.
 */
export function validateInputs(schema: Record<string, unknown> | null, inputs: unknown): ValidationResult {
  const value = inputs === undefined ? {} : inputs;
  if (schema === null) {
    if (isRecord(value)) return { ok: true, value: cloneJson(value), errors: [] };
    return { ok: false, value, errors: [{ path: '$', message: 'inputs must be an object' }] };
  }
  return validateValue(schema, value);
}

/** Maps Ajv errors to `{path, message}`; `required` and unknown-property errors name the property. */
export function toErrorDetails(errors: ErrorObject[], instance: unknown, base = '$'): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    const detail = toErrorDetail(error, instance, base);
    const key = `${detail.path}\u0000${detail.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(detail);
    }
  }
  return out;
}

function toErrorDetail(error: ErrorObject, instance: unknown, base: string): ErrorDetail {
  const path = pointerToJsonPath(error.instancePath, instance, base);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    return { path: appendPath(path, params.missingProperty), message: 'is required' };
  }
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return { path: appendPath(path, params.additionalProperty), message: 'is not an allowed property' };
  }
  if (error.keyword === 'unevaluatedProperties' && typeof params.unevaluatedProperty === 'string') {
    return { path: appendPath(path, params.unevaluatedProperty), message: 'is not an allowed property' };
  }
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    return { path, message: `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
  }
  return { path, message: error.message ?? 'is invalid' };
}

function compile(schema: unknown): ValidateFunction {
  if (typeof schema === 'object' && schema !== null) {
    const hit = byIdentity.get(schema);
    if (hit) return hit;
  }
  const json = JSON.stringify(schema);
  let validate = byJson.get(json);
  if (!validate) {
    const own = cloneJson(schema) as object | boolean;
    validate = ajv.compile(own);
    // Ajv caches every compiled schema object forever; ours live in the bounded map instead.
    if (typeof own === 'object' && !('$id' in own)) ajv.removeSchema(own);
    if (byJson.size >= MAX_CACHED) byJson.delete(byJson.keys().next().value as string);
    byJson.set(json, validate);
  }
  if (typeof schema === 'object' && schema !== null) byIdentity.set(schema, validate);
  return validate;
}

/** Deep copy of a JSON value (undefined stays undefined). */
export function cloneJson<T>(value: T): T {
  if (value === undefined) return value;
  return structuredClone(value);
}

// Keywords about an object's keys: a template in a value cannot make these pass or fail.
const KEY_KEYWORDS = new Set(['required', 'additionalProperties', 'unevaluatedProperties', 'propertyNames', 'dependentRequired']);
// Keywords whose verdict on a container may change once a template inside it is resolved.
const COMPOSITE_KEYWORDS = new Set(['anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'contains', 'const', 'enum', 'uniqueItems']);

/**
 * Validates a value whose strings may hold templates resolved only at run time (a step's `with:`).
 * Approach: validate the value as written, then drop every error that a template could still
 * fix: an error located at a templated string (`"{{ inputs.n }}"` where an integer is expected,
 * or a `format`/`pattern` on an interpolated URL), and a composite error (`anyOf`, `enum`, ...)
 * on a container that holds a template. Errors about keys (`required`, unknown properties) stay.
 * The schema must be valid; an invalid one throws.
 */
export function validateDeferred(
  schema: unknown,
  value: unknown,
  basePath: string,
  isDeferred: (s: string) => boolean,
): ErrorDetail[] {
  const validate = compile(schema);
  const copy = cloneJson(value);
  const valid = runValidator(validate, copy, basePath);
  if (valid === true) return [];
  if (valid !== false) return [valid];
  const kept = (validate.errors ?? []).filter((error) => {
    if (KEY_KEYWORDS.has(error.keyword)) return true;
    const at = valueAtPointer(copy, error.instancePath);
    if (typeof at === 'string') return !isDeferred(at);
    return !(COMPOSITE_KEYWORDS.has(error.keyword) && containsDeferred(at, isDeferred));
  });
  return toErrorDetails(kept, copy, basePath);
}

function valueAtPointer(instance: unknown, pointer: string): unknown {
  if (pointer === '') return instance;
  let current = instance;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) current = current[Number(key)];
    else if (isRecord(current) && Object.hasOwn(current, key)) current = current[key];
    else return undefined;
  }
  return current;
}

function containsDeferred(value: unknown, isDeferred: (s: string) => boolean, depth = 0): boolean {
  checkWalkDepth(depth);
  if (typeof value === 'string') return isDeferred(value);
  if (Array.isArray(value)) return value.some((item) => containsDeferred(item, isDeferred, depth + 1));
  if (isRecord(value)) return Object.values(value).some((item) => containsDeferred(item, isDeferred, depth + 1));
  return false;
}

// The generated JSON Schema of the definition format itself lives in definition-json-schema.ts.
export { definitionJsonSchema, type ActionSchemaSource } from './definition-json-schema.js';
