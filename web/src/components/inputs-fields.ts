/**
 * The run form's model, pure: an automation's inputs JSON Schema → form fields; the form's values
 * → the `inputs` object; validation errors (the browser's Ajv, or the server's `{path, message}`
 * details) → the field they belong to.
 */

type Schema = Record<string, unknown>;

export type FieldKind = 'string' | 'enum' | 'number' | 'integer' | 'boolean' | 'json';

export interface InputField {
  key: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  /** the schema's default, shown as the field's initial value */
  defaultValue?: unknown;
  /** `enum`: the allowed values (any JSON), shown by their JSON text unless strings */
  options?: unknown[];
  /** `string`: the `format` keyword (date-time, email, uri, ...), shown as a hint */
  format?: string;
  /** `json`: the JSON type(s) expected (object, array, ...), for the hint */
  jsonType?: string;
}

/** The form: one field per property, or one JSON field for the whole object when the schema names none. */
export interface InputsForm {
  fields: InputField[];
  /** the schema lists no properties: the inputs are typed as one JSON object */
  freeForm: boolean;
}

/** A field's raw value as the form holds it. */
export type FieldValue = string | number | boolean;

export const WHOLE = '$';

function isRecord(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typesOf(schema: Schema): string[] {
  const t = schema.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  return [];
}

function fieldOf(key: string, schema: unknown, required: boolean): InputField {
  const s = isRecord(schema) ? schema : {};
  const base: InputField = {
    key,
    label: typeof s.title === 'string' && s.title !== '' ? s.title : key,
    kind: 'json',
    required,
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    ...('default' in s ? { defaultValue: s.default } : {}),
  };
  if (Array.isArray(s.enum) && s.enum.length > 0) return { ...base, kind: 'enum', options: s.enum };
  if ('const' in s) return { ...base, kind: 'enum', options: [s.const] };
  // `["string", "null"]` is still a text field: a nullable value is typed as JSON only when it is the whole type
  const types = typesOf(s).filter((t) => t !== 'null');
  if (types.length === 1) {
    const [t] = types;
    if (t === 'string') return { ...base, kind: 'string', ...(typeof s.format === 'string' ? { format: s.format } : {}) };
    if (t === 'integer' || t === 'number' || t === 'boolean') return { ...base, kind: t };
    return { ...base, jsonType: t };
  }
  return types.length > 1 ? { ...base, jsonType: types.join(' or ') } : base;
}

/** Fields of an inputs schema (`definition.inputs`); null: the automation takes no inputs. */
export function inputsForm(schema: unknown): InputsForm | null {
  if (schema === undefined || schema === null) return null;
  if (!isRecord(schema) || !isRecord(schema.properties) || Object.keys(schema.properties).length === 0) {
    return { fields: [{ key: WHOLE, label: 'Inputs', kind: 'json', required: false, jsonType: 'object', description: 'The run\'s inputs as one JSON object.' }], freeForm: true };
  }
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []);
  return { fields: Object.entries(schema.properties).map(([key, s]) => fieldOf(key, s, required.has(key))), freeForm: false };
}

/** The form's initial values: each default, in the field's own representation. */
export function initialValues(form: InputsForm): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const f of form.fields) {
    const d = f.defaultValue;
    switch (f.kind) {
      case 'boolean':
        out[f.key] = d === true;
        break;
      case 'enum':
        out[f.key] = d === undefined ? '' : optionKey(f.options ?? [], d);
        break;
      case 'number':
      case 'integer':
        out[f.key] = typeof d === 'number' ? d : '';
        break;
      case 'string':
        out[f.key] = typeof d === 'string' ? d : '';
        break;
      case 'json':
        out[f.key] = d === undefined ? '' : JSON.stringify(d, null, 2);
        break;
    }
  }
  return out;
}

/** An enum option's key in a select: its index (options may be any JSON, not only strings). */
export function optionKey(options: unknown[], value: unknown): string {
  const text = JSON.stringify(value);
  const i = options.findIndex((o) => JSON.stringify(o) === text);
  return i < 0 ? '' : String(i);
}

export function optionLabel(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export interface BuiltInputs {
  inputs: Record<string, unknown>;
  /** values that are not even of their field's form (JSON that does not parse, a number that is not one) */
  errors: Record<string, string>;
}

/**
 * The `inputs` object from the form's values. An empty field is left out (the schema's default or
 * `required` then applies, as on the server); a boolean is always sent.
 */
export function buildInputs(form: InputsForm, values: Record<string, FieldValue>): BuiltInputs {
  const inputs: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of form.fields) {
    const raw = values[f.key];
    if (f.kind === 'boolean') {
      inputs[f.key] = raw === true;
      continue;
    }
    if (raw === undefined || raw === '') continue;
    switch (f.kind) {
      case 'enum': {
        const option = (f.options ?? [])[Number(raw)];
        if (option !== undefined) inputs[f.key] = option;
        break;
      }
      case 'number':
      case 'integer': {
        const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
        if (Number.isFinite(n)) inputs[f.key] = n;
        else errors[f.key] = 'must be a number';
        break;
      }
      case 'string':
        inputs[f.key] = String(raw);
        break;
      case 'json':
        try {
          inputs[f.key] = JSON.parse(String(raw));
        } catch (err) {
          errors[f.key] = `not valid JSON: ${(err as Error).message}`;
        }
        break;
    }
  }
  if (form.freeForm) {
    const whole = inputs[WHOLE];
    if (errors[WHOLE]) return { inputs: {}, errors };
    if (whole === undefined) return { inputs: {}, errors };
    if (!isRecord(whole)) return { inputs: {}, errors: { [WHOLE]: 'must be a JSON object' } };
    return { inputs: whole, errors };
  }
  return { inputs, errors };
}

export interface FieldErrors {
  /** by field key */
  fields: Record<string, string>;
  /** errors no field shows (about the whole object, or a property the form has no field for) */
  other: string[];
}

/**
 * Splits `{path, message}` details (JSON paths of the server: `$.times`, `$["a b"][0]`, `$`) over the
 * form's fields: a path inside a property belongs to that property's field.
 */
export function fieldErrors(form: InputsForm, details: { path?: string; message?: string }[]): FieldErrors {
  const keys = new Set(form.fields.map((f) => f.key));
  const out: FieldErrors = { fields: {}, other: [] };
  for (const d of details) {
    const message = d.message ?? 'is invalid';
    const key = form.freeForm ? WHOLE : firstSegment(d.path ?? '$');
    const target = key !== null && keys.has(key) ? key : null;
    if (target === null) {
      out.other.push(d.path && d.path !== '$' ? `${d.path}: ${message}` : message);
      continue;
    }
    // what is left of the path inside the field: `$.tags[1]` → `[1]: must be string`
    const rest = form.freeForm ? (d.path ?? '$').replace(/^\$/, '') : d.path!.slice(prefixLength(d.path!));
    const text = rest ? `${rest.replace(/^\./, '')}: ${message}` : message;
    out.fields[target] = out.fields[target] ? `${out.fields[target]}; ${text}` : text;
  }
  return out;
}

const IDENT = /^\$\.([A-Za-z_$][\w$]*)/;
const QUOTED = /^\$\[("(?:[^"\\]|\\.)*")\]/;

/** The property a JSON path starts with (`$.a.b` → `a`, `$["a b"]` → `a b`); null for `$` itself. */
export function firstSegment(path: string): string | null {
  const ident = IDENT.exec(path);
  if (ident) return ident[1]!;
  const quoted = QUOTED.exec(path);
  if (quoted) {
    try {
      return JSON.parse(quoted[1]!) as string;
    } catch {
      return null;
    }
  }
  return null;
}

function prefixLength(path: string): number {
  return (IDENT.exec(path) ?? QUOTED.exec(path))?.[0].length ?? path.length;
}
