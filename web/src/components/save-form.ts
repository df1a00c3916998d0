/**
 * The "Save as automation" dialog's model (pure: no React, no DOM), so it is table-tested outside
 * the browser: the form's state, the request it sends (`runs.saveAsAutomation`), and the server's
 * `{path, message}` problems split into those of an input row (`$.inputs[i]…`) and the rest.
 */
import type { SaveRunRequest, SavedInput } from '../../../src/client/index.js';

export const INPUT_TYPES = ['string', 'number', 'integer', 'boolean'] as const;
export type InputType = (typeof INPUT_TYPES)[number];

export interface InputRow {
  /** stable React key; not sent */
  key: number;
  name: string;
  description: string;
  required: boolean;
  /** as typed; read by `type` (or, left empty, the source run's value's type) */
  default: string;
  /** '' = the source automation's type for this input, else string */
  type: InputType | '';
}

export interface SaveForm {
  name: string;
  description: string;
  inputs: InputRow[];
  keepPlanning: string[];
  literal: string[];
}

export interface Problem {
  path: string;
  message: string;
}

let nextKey = 1;

export function newRow(name = ''): InputRow {
  return { key: nextKey++, name, description: '', required: false, default: '', type: '' };
}

/** A form for the run: one input row per input the run had (optional: its value becomes the default). */
export function initialForm(automation: string, runInputs: Record<string, unknown>): SaveForm {
  return { name: `${automation}-saved`, description: '', inputs: Object.keys(runInputs).map((name) => newRow(name)), keepPlanning: [], literal: [] };
}

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

/** A row's default as the JSON value its type asks for; empty text is no default. */
export function parseDefault(text: string, type: InputType | '', sourceValue: unknown): Parsed | null {
  if (text.trim() === '') return null;
  const as: InputType | 'string' = type !== '' ? type : typeof sourceValue === 'number' ? 'number' : typeof sourceValue === 'boolean' ? 'boolean' : 'string';
  switch (as) {
    case 'number':
    case 'integer': {
      const n = Number(text.trim());
      if (!Number.isFinite(n)) return { ok: false, message: `the default must be a number, not "${text}"` };
      if (as === 'integer' && !Number.isInteger(n)) return { ok: false, message: `the default must be a whole number, not ${text.trim()}` };
      return { ok: true, value: n };
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (t !== 'true' && t !== 'false') return { ok: false, message: 'the default must be true or false' };
      return { ok: true, value: t === 'true' };
    }
    default:
      return { ok: true, value: text };
  }
}

export interface BuiltRequest {
  request: SaveRunRequest;
  /** problems found before sending, by row index (the server is not asked while there are any) */
  rowErrors: Record<number, string>;
  /** problems of the form outside the rows */
  formErrors: Problem[];
  /** request index of `inputs` → row index in the form (empty rows are not sent) */
  rowOf: number[];
}

/** The request for `form`; `dryRun` asks only what the save would do. */
export function buildRequest(form: SaveForm, runInputs: Record<string, unknown>, dryRun: boolean): BuiltRequest {
  const rowErrors: Record<number, string> = {};
  const formErrors: Problem[] = [];
  const inputs: SavedInput[] = [];
  const rowOf: number[] = [];
  const name = form.name.trim();
  if (name === '') formErrors.push({ path: '$.name', message: 'give the automation a name' });
  form.inputs.forEach((row, i) => {
    const rowName = row.name.trim();
    if (rowName === '' && row.description.trim() === '' && row.default.trim() === '') return;
    if (rowName === '') {
      rowErrors[i] = 'give the input a name (or remove the row)';
      return;
    }
    const input: SavedInput = { name: rowName };
    if (row.description.trim() !== '') input.description = row.description.trim();
    if (row.required) input.required = true;
    if (row.type !== '') input.type = row.type;
    const parsed = parseDefault(row.default, row.type, runInputs[rowName]);
    if (parsed && !parsed.ok) {
      rowErrors[i] = parsed.message;
      return;
    }
    if (parsed) input.default = parsed.value;
    rowOf.push(i);
    inputs.push(input);
  });
  const request: SaveRunRequest = { name, inputs, dry_run: dryRun };
  if (form.description.trim() !== '') request.description = form.description.trim();
  if (form.keepPlanning.length > 0) request.keep_planning = [...form.keepPlanning];
  if (form.literal.length > 0) request.literal = [...form.literal];
  return { request, rowErrors, formErrors, rowOf };
}

const ROW_PATH = /^\$\.inputs\[(\d+)\](?:\.([A-Za-z_]+))?/;

export interface SplitProblems {
  /** by row index of the form: "name: must match …" for a field, the message for the whole row */
  rows: Record<number, string[]>;
  /** everything else, with its path */
  other: Problem[];
}

/**
 * The server's problems: those at `$.inputs[i]` (or under it) go to row `rowOf[i]`, the rest stay
 * listed with their paths (`$.steps[2].with.url`, `$.keep_planning`, `$.name`).
 */
export function splitProblems(details: readonly Problem[], rowOf: readonly number[]): SplitProblems {
  const rows: Record<number, string[]> = {};
  const other: Problem[] = [];
  for (const d of details) {
    const m = ROW_PATH.exec(d.path);
    const row = m ? rowOf[Number(m[1])] : undefined;
    if (m && row !== undefined) (rows[row] ??= []).push(m[2] ? `${m[2]}: ${d.message}` : d.message);
    else other.push(d);
  }
  return { rows, other };
}

/** `details` of an API error, when it has the `[{path, message}]` shape. */
export function problemsOf(details: unknown): Problem[] {
  if (!Array.isArray(details)) return [];
  return details.filter((d): d is Problem => typeof d === 'object' && d !== null && typeof (d as Problem).path === 'string' && typeof (d as Problem).message === 'string');
}
