/**
 * `{{ secrets.NAME }}` at execution. Templates are resolved synchronously when a step starts, but
 * secret values are read from the store only when its action is invoked (fresh for every step, so
 * a changed secret takes effect on the next one). In between, a secret placeholder resolves to a
 * marker carrying a random per-run nonce: text that came from elsewhere (an upstream step's
 * output, an input) cannot forge one, so it is never turned into a secret. What is stored as the
 * step's input shows the marker as the original placeholder; the value exists only in the config
 * the action sees, and every copy of it in the step's output, logs and error is replaced by
 * `[redacted]` before they are stored.
 */
import { randomBytes } from 'node:crypto';
import type { Plan, PlanStep } from '../definition/types.js';
import { findTemplateReferences, resolveTemplates, type TemplateScope } from '../definition/template.js';
import { isRecord } from '../definition/json-path.js';
import type { ActionServices } from '../actions/types.js';
import { ErrorCode, RotaError } from '../errors.js';

export const REDACTED = '[redacted]';

export class StepSecrets {
  readonly #markers: Record<string, string> = {};
  readonly #pattern: RegExp;
  /** no step of the plan uses a secret: every method is the identity (the common, hot case) */
  readonly #none: boolean;

  constructor(plan: Plan) {
    const names = secretNames(plan);
    this.#none = names.length === 0;
    const nonce = this.#none ? '' : randomBytes(12).toString('hex');
    for (const name of names) this.#markers[name] = `\u27e6rota-secret:${nonce}:${name}\u27e7`;
    this.#pattern = new RegExp(`\u27e6rota-secret:${nonce}:([A-Za-z0-9_]+)\u27e7`, 'g');
  }

  /** The step's `with:` resolved; secrets (as markers) only in the action's secret-capable fields. */
  resolve(step: PlanStep, scope: TemplateScope, secretFields: readonly string[]): unknown {
    const withScope = { ...scope, secrets: this.#markers };
    if (!isRecord(step.with)) return resolveTemplates(step.with, withScope);
    const out: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(step.with)) {
      const resolved = resolveTemplates(value, withScope, { allowSecrets: secretFields.includes(field) });
      Object.defineProperty(out, field, { value: resolved, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }

  /** What is stored as the step's input: each marker back as its placeholder. */
  stored(input: unknown): unknown {
    if (this.#none) return input;
    return mapStrings(input, (s) => s.replace(this.#pattern, (_m, name: string) => `{{ secrets.${name} }}`));
  }

  /** Names of the secrets the resolved input uses. */
  namesIn(input: unknown): string[] {
    if (this.#none) return [];
    const names = new Set<string>();
    mapStrings(input, (s) => {
      for (const match of s.matchAll(this.#pattern)) names.add(match[1]!);
      return s;
    });
    return [...names];
  }

  /** The config the action sees: markers replaced by the values; a secret not set fails the step. */
  reveal(input: unknown, values: Map<string, string>): unknown {
    return mapStrings(input, (s) =>
      s.replace(this.#pattern, (_m, name: string) => {
        const value = values.get(name);
        if (value === undefined) {
          throw new RotaError(ErrorCode.template_unresolved, `secret "${name}" is not set in this workspace; set it with \`rota secrets set ${name}\` (or PUT /api/v1/secrets/${name})`, {
            details: { secret: name },
          });
        }
        return value;
      }),
    );
  }
}

/** Plans are immutable and cached (plan-cache.ts): walking one per run cost ~40 µs for 10 steps. */
const namesByPlan = new WeakMap<Plan, string[]>();

function secretNames(plan: Plan): string[] {
  let names = namesByPlan.get(plan);
  if (names === undefined) {
    const found = new Set<string>();
    for (const step of [...plan.steps, ...plan.onFailure]) {
      for (const ref of findTemplateReferences(step.with, '$')) {
        const name = ref.segments[1];
        if (ref.root === 'secrets' && typeof name === 'string') found.add(name);
      }
    }
    names = [...found];
    namesByPlan.set(plan, names);
  }
  return names;
}

/** `value` with every occurrence of each secret value, in strings and keys, replaced by `[redacted]`. */
export function redactSecrets<T>(value: T, secrets: readonly string[]): T {
  const needles = secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length);
  if (needles.length === 0) return value;
  const redact = (s: string): string => needles.reduce((text, needle) => (text.includes(needle) ? text.split(needle).join(REDACTED) : text), s);
  return mapStrings(value, redact, true) as T;
}

/**
 * The services of a step whose config holds resolved secrets: every argument the action passes
 * (an event's payload, a child run's inputs, an approval's message and details, a wait's filter,
 * a delegation's URL) is redacted like the step's output before it reaches the node, so a value
 * passed on lands in no stored row. `secrets` is read at each call: the executor fills it once
 * the step's values are read.
 */
export function redactingServices(services: ActionServices, secrets: readonly string[]): ActionServices {
  const out: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(services)) {
    out[name] = typeof member === 'function' ? (...args: unknown[]) => (member as (...a: unknown[]) => unknown)(...args.map((arg) => redactSecrets(arg, secrets))) : member;
  }
  return out as unknown as ActionServices;
}

function mapStrings(value: unknown, fn: (s: string) => string, keys = false): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, fn, keys));
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(out, keys ? fn(key) : key, { value: mapStrings(item, fn, keys), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
