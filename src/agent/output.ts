/** Final answers against an `output_schema`: parsing (JSON, possibly fenced), validation, repair prompt. */
import { validateValue } from '../definition/json-schema.js';
import type { ErrorDetail } from '../errors.js';

export type AnswerCheck = { ok: true; value: unknown } | { ok: false; errors: ErrorDetail[] };

export const MAX_REPORTED_ERRORS = 5;

export function checkAnswer(text: string, schema: unknown): AnswerCheck {
  const parsed = parseJsonAnswer(text);
  if (!parsed.ok) return { ok: false, errors: [{ path: '$', message: `not valid JSON: ${parsed.message}` }] };
  const result = validateValue(schema, parsed.value);
  return result.ok ? { ok: true, value: parsed.value } : { ok: false, errors: result.errors };
}

/** The answer as JSON; a single ```json fenced block is accepted, nothing else is guessed. */
function parseJsonAnswer(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i.exec(trimmed);
  try {
    return { ok: true, value: JSON.parse(fenced ? fenced[1]! : trimmed) };
  } catch (err) {
    return { ok: false, message: trimmed === '' ? 'the answer is empty' : (err as Error).message };
  }
}

export function repairPrompt(errors: ErrorDetail[], kind: 'schema' | 'plan' = 'schema'): string {
  const first = errors.slice(0, MAX_REPORTED_ERRORS);
  return [
    kind === 'plan'
      ? 'Your plan is not valid. Problems (first 5 as {path, message}; paths point into your answer):'
      : 'Your answer does not match the required JSON Schema. Validation errors (first 5 as {path, message}):',
    JSON.stringify(first, null, 2),
    'Reply with only the corrected JSON value, no prose and no code fences.',
  ].join('\n');
}

export function schemaInstruction(schema: unknown): string {
  return `Your final answer must be only a JSON value valid against this JSON Schema (no prose, no code fences):\n${JSON.stringify(schema)}`;
}
