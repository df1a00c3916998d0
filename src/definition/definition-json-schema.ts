/**
 * The JSON Schema (2020-12) of the definition format, generated from the zod schema that validates
 * definitions (schema.ts), so editors check YAML files as they are typed. The package ships it for
 * the built-in actions as `rota/schema.json` (node/definition-schema.ts writes it).
 *
 * What it cannot say, and the real validator (`compileDefinition`) checks at apply only:
 * - cross-field rules: unique step and trigger ids, `needs` naming existing steps, no cycles,
 *   template references (`{{ steps.x.output }}` naming a step it needs), filter paths, secrets only
 *   in an action's secret fields, a schedule trigger having exactly one of cron/every/at;
 * - checks that need code: a cron that parses and fires, an IANA time zone, a real calendar date,
 *   `every` of at least 1s, `inputs` and `output_schema` being valid JSON Schemas;
 * - the node: whether an action type is registered (custom actions, the agent's tools and MCP
 *   servers); `action` accepts any type name and only known ones get their `with:` checked;
 * - templates: where a `with:` field holds `{{ ... }}`, any type is accepted (it is resolved at run
 *   time), as the validator defers it.
 */
import { z } from 'zod';
import type { ActionDefinition } from '../actions/types.js';
import { definitionSchema, stepSchema } from './schema.js';

/** What the schema needs of an action: its type name, description and `with:` schema. */
export type ActionSchemaSource = Pick<ActionDefinition, 'type' | 'description' | 'configSchema'>;

/** A `with:` value that is a template, resolved (and checked) at run time. */
const TEMPLATE = { type: 'string', pattern: '\\{\\{[\\s\\S]*\\}\\}', description: 'a template, resolved at run time' };
const TEMPLATE_REF = { $ref: '#/$defs/template' };

/**
 * The JSON Schema of a definition. With `actions` (e.g. the built-ins, or a node's registry list),
 * each step's `with:` is checked against its action's `configSchema` (an `if`/`then` per action
 * type), so an editor flags a misspelt field; without, `with:` is any object.
 *
 * @example
 * const schema = definitionJsonSchema(rota.actions.list());
 * new Ajv2020().validate(schema, yaml.parse(text));
 */
export function definitionJsonSchema(actions: readonly ActionSchemaSource[] = []): Record<string, unknown> {
  const generated = z.toJSONSchema(definitionSchema, {
    target: 'draft-2020-12',
    io: 'input',
    reused: 'inline',
    override: (ctx) => {
      if (ctx.zodSchema === stepSchema) addActionConfigs(ctx.jsonSchema as Record<string, unknown>, actions);
    },
  }) as Record<string, unknown>;
  const defs = { ...(generated.$defs as Record<string, unknown> | undefined), ...(actions.length > 0 ? { template: TEMPLATE } : {}) };
  return {
    $schema: generated.$schema,
    title: 'Rota automation definition',
    description: 'An automation: triggers, steps and execution settings (see the README of the rota package).',
    ...withoutKeys(generated, ['$schema', '$defs']),
    ...(Object.keys(defs).length > 0 ? { $defs: defs } : {}),
  };
}

function addActionConfigs(step: Record<string, unknown>, actions: readonly ActionSchemaSource[]): void {
  const properties = step.properties as Record<string, Record<string, unknown>>;
  const names = actions.map((a) => a.type);
  properties.action = {
    ...properties.action,
    description: names.length > 0 ? `the action type: a built-in (${names.join(', ')}) or one the node registers` : 'the action type',
    ...(names.length > 0 ? { examples: names } : {}),
  };
  properties.with = { ...properties.with, description: "the action's configuration; `{{ ... }}` templates are resolved at run time" };
  if (actions.length === 0) return;
  step.allOf = actions.map((action) => ({
    if: { properties: { action: { const: action.type } }, required: ['action'] },
    then: { properties: { with: { description: action.description, ...asObject(allowTemplates(action.configSchema, true)) } } },
  }));
}

const NESTED_ONE = ['additionalProperties', 'items', 'contains', 'not', 'if', 'then', 'else', 'propertyNames'] as const;
const NESTED_LIST = ['prefixItems', 'anyOf', 'oneOf', 'allOf'] as const;
const NESTED_MAP = ['properties', 'patternProperties', '$defs'] as const;

/**
 * Lets a template string stand anywhere in a value checked by `schema`, except at the root (a
 * `with:` is always an object). Keywords on keys (`required`, `additionalProperties: false`) stay,
 * so a misspelt or missing field is still flagged.
 */
function allowTemplates(schema: unknown, root = false): unknown {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return schema;
  const out: Record<string, unknown> = { ...(schema as Record<string, unknown>) };
  for (const key of NESTED_ONE) if (key in out && typeof out[key] === 'object') out[key] = allowTemplates(out[key]);
  for (const key of NESTED_LIST) if (Array.isArray(out[key])) out[key] = (out[key] as unknown[]).map((s) => allowTemplates(s));
  for (const key of NESTED_MAP) {
    if (typeof out[key] === 'object' && out[key] !== null) {
      out[key] = Object.fromEntries(Object.entries(out[key] as Record<string, unknown>).map(([k, s]) => [k, allowTemplates(s)]));
    }
  }
  // a schema that accepts anything (`{}` or only annotations) needs no template branch
  const constraining = Object.keys(out).some((k) => !ANNOTATIONS.has(k));
  if (root || !constraining) return out;
  const { description, default: fallback, ...rest } = out;
  return { ...(description === undefined ? {} : { description }), ...(fallback === undefined ? {} : { default: fallback }), anyOf: [rest, TEMPLATE_REF] };
}

const ANNOTATIONS = new Set(['description', 'title', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly', '$comment']);

function asObject(schema: unknown): Record<string, unknown> {
  return typeof schema === 'object' && schema !== null ? (schema as Record<string, unknown>) : {};
}

function withoutKeys(value: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
}
