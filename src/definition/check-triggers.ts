/**
 * Cross-field checks of triggers, on the raw definition (see check-steps.ts): unique ids, exactly
 * one of cron/every/at, filters (root `data`), and `inputs:` mappings (templates over `data` and
 * `run`; literal values checked against the inputs schema).
 */
import { TriggerKind } from '../states.js';
import type { ErrorDetail } from '../errors.js';
import { validateFilter } from './filter.js';
import { appendPath, isRecord } from './json-path.js';
import { validateDeferred } from './json-schema.js';
import { RUN_FIELDS, checkReference, type InputsInfo, type ReferenceContext } from './references.js';
import { findTemplateReferences, hasTemplate } from './template.js';
import { checkWebhookVerify } from './check-webhook.js';

export function checkTriggers(raw: unknown, inputsSchema: Record<string, unknown> | null, inputs: InputsInfo): ErrorDetail[] {
  if (!Array.isArray(raw)) return [];
  const problems: ErrorDetail[] = [];
  const firstById = new Map<string, string>();
  raw.forEach((trigger, i) => {
    const path = appendPath('$.triggers', i);
    if (!isRecord(trigger)) return;
    if (typeof trigger.id === 'string') {
      const seen = firstById.get(trigger.id);
      if (seen === undefined) firstById.set(trigger.id, path);
      else problems.push({ path: appendPath(path, 'id'), message: `duplicate trigger id "${trigger.id}" (first used at ${seen})` });
    }
    if (trigger.type === TriggerKind.schedule) {
      const kinds = ['cron', 'every', 'at'].filter((key) => trigger[key] !== undefined);
      if (kinds.length !== 1) {
        problems.push({ path, message: `a schedule needs exactly one of cron, every, at${kinds.length > 1 ? ` (got ${kinds.join(', ')})` : ''}` });
      }
      if (trigger.anchor !== undefined && trigger.every === undefined) {
        problems.push({ path: appendPath(path, 'anchor'), message: '`anchor` aligns `every` slots; it needs `every`' });
      }
    }
    // webhooks also expose descriptive request headers (`headers.x-github-event`)
    const roots = trigger.type === TriggerKind.webhook ? ['data', 'headers'] : ['data'];
    if (trigger.type === TriggerKind.webhook) problems.push(...checkWebhookVerify(trigger.verify, path));
    if (isRecord(trigger.filter)) problems.push(...validateFilter(trigger.filter, appendPath(path, 'filter'), roots));
    if (isRecord(trigger.inputs)) problems.push(...checkTriggerInputs(trigger.inputs, appendPath(path, 'inputs'), inputsSchema, inputs, roots));
  });
  return problems;
}

function checkTriggerInputs(
  mapping: Record<string, unknown>,
  path: string,
  inputsSchema: Record<string, unknown> | null,
  inputs: InputsInfo,
  roots: string[],
): ErrorDetail[] {
  const ctx: ReferenceContext = {
    roots: [...roots, 'run'],
    placeName: 'trigger inputs',
    inputs,
    knownSteps: new Set(),
    upstream: new Set(),
    runFields: RUN_FIELDS,
  };
  const problems: ErrorDetail[] = [];
  for (const ref of findTemplateReferences(mapping, path)) {
    const message = ref.problem ?? checkReference(ref.segments, ctx);
    if (message !== null) problems.push({ path: ref.path, message: `{{ ${ref.expression} }}: ${message}` });
  }
  if (inputsSchema !== null) {
    try {
      problems.push(...validateDeferred(inputsSchema, mapping, path, hasTemplate));
    } catch {
      // an invalid inputs schema is reported at $.inputs
    }
  }
  return problems;
}

/** `execution.concurrency_key`: a template over inputs only. */
export function checkConcurrencyKey(key: unknown, inputs: InputsInfo): ErrorDetail[] {
  if (typeof key !== 'string') return [];
  const path = '$.execution.concurrency_key';
  const ctx: ReferenceContext = {
    roots: ['inputs'],
    placeName: 'concurrency_key, which may only use inputs',
    inputs,
    knownSteps: new Set(),
    upstream: new Set(),
    runFields: [],
  };
  return findTemplateReferences(key, path).flatMap((ref) => {
    const message = ref.problem ?? checkReference(ref.segments, ctx);
    return message === null ? [] : [{ path: ref.path, message: `{{ ${ref.expression} }}: ${message}` }];
  });
}
