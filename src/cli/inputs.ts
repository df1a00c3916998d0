import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ValidationError } from '../errors.js';

/**
 * Run inputs from `--inputs-file F` (JSON or YAML object) overlaid with `--input k=v` pairs; a value
 * that is valid JSON is taken as JSON (`n=3`, `ok=true`, `tags=["a"]`), anything else as a string.
 */
export function parseInputs(pairs: string[] = [], file?: string): Record<string, unknown> {
  const inputs: Record<string, unknown> = file ? readInputsFile(file) : {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ValidationError(`--input expects key=value, got "${pair}"`, [{ path: '--input', message: `expected key=value, got "${pair}"` }]);
    inputs[pair.slice(0, eq)] = parseValue(pair.slice(eq + 1));
  }
  return inputs;
}

export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** `--data JSON`: must be valid JSON. */
export function parseJsonOption(flag: string, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`${flag} is not valid JSON: ${(err as Error).message}`, [{ path: flag, message: 'not valid JSON' }]);
  }
}

function readInputsFile(file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ValidationError(`--inputs-file ${file}: ${(err as Error).message.split('\n')[0]}`, [{ path: '--inputs-file', message: 'unreadable' }]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(`--inputs-file ${file}: expected an object of inputs`, [{ path: '--inputs-file', message: 'expected an object' }]);
  }
  return value as Record<string, unknown>;
}
