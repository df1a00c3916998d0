/** Tools over automations: list, get, validate (the authoring loop), apply, pause, resume, schedule previews. */
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { RotaApiError, type AutomationView } from '../client/index.js';
import { Scope } from '../states.js';
import { defineTool, type RotaTool } from './tool.js';
import { ToolArgumentError } from './tool-error.js';

const Name = z.string().min(1).max(63).describe('automation name');
const DefinitionArg = z
  .union([z.record(z.string(), z.unknown()), z.string().min(1)])
  .describe('the definition: an object (JSON), or its YAML or JSON text');
const Problem = z.object({ path: z.string(), message: z.string(), hint: z.string() });
const Trigger = z.object({
  id: z.string(),
  type: z.string(),
  enabled: z.boolean(),
  next_fire_at: z.string().nullable(),
  last_fire_at: z.string().nullable(),
  webhook_path: z.string().optional().describe('webhook triggers: the path to POST deliveries to'),
});
const Summary = z.object({
  name: z.string(),
  status: z.string(),
  version: z.number(),
  description: z.string().nullable(),
  triggers: z.array(z.string()).describe('trigger ids and types'),
  updated_at: z.string(),
});

function summary(a: AutomationView): z.infer<typeof Summary> {
  return { name: a.name, status: a.status, version: a.version, description: a.description, triggers: a.triggers.map((t) => `${t.id} (${t.type})`), updated_at: a.updated_at };
}

function trigger(t: AutomationView['triggers'][number]): z.infer<typeof Trigger> {
  const base = { id: t.id, type: t.type, enabled: t.enabled, next_fire_at: t.next_fire_at, last_fire_at: t.last_fire_at };
  return t.webhook_path === undefined ? base : { ...base, webhook_path: t.webhook_path };
}

/** Hints per problem: where in the definition, what to read to fix it. */
export function problemHint(path: string, message: string): string {
  if (/unknown action|action .*not (found|registered)/i.test(message) || /\.action$/.test(path)) return 'use an action type of the catalog: list_actions, or the resource rota://catalog/actions';
  if (/input .* not declared/i.test(message)) return 'declare the input under inputs: (a JSON Schema of type object with that property), or stop referencing it';
  if (/\{\{|template|reference/i.test(message)) return 'templates read {{ inputs.NAME }}, {{ steps.ID.output... }} of steps it needs, {{ secrets.NAME }}; see the README section on templates';
  if (/\.with\b/.test(path)) return "check the step's config against its action's config_schema (list_actions with include_schemas)";
  if (/needs|cycle/i.test(message)) return 'needs: lists ids of earlier steps; a step may not need itself or form a cycle';
  if (/^\$\.triggers/.test(path)) return 'a trigger is {type: manual|schedule|webhook|event, ...}; see rota://schema/definition';
  if (/^\$\.inputs/.test(path)) return 'inputs is a JSON Schema (type: object) of the run inputs';
  return 'see the definition JSON Schema: resource rota://schema/definition';
}

export function withHints(details: unknown): z.infer<typeof Problem>[] {
  if (!Array.isArray(details)) return [];
  return details.map((d) => {
    const { path, message } = (typeof d === 'object' && d !== null ? d : { message: String(d) }) as { path?: unknown; message?: unknown };
    const p = typeof path === 'string' && path !== '' ? path : '$';
    const m = String(message ?? '');
    return { path: p, message: m, hint: problemHint(p, m) };
  });
}

/** The name an apply targets: the argument, else the definition's own `name`. */
function targetName(name: string | undefined, definition: Record<string, unknown> | string): string {
  if (name) return name;
  let parsed: unknown = definition;
  if (typeof definition === 'string') {
    try {
      parsed = parseYaml(definition);
    } catch {
      parsed = undefined;
    }
  }
  const own = typeof parsed === 'object' && parsed !== null ? (parsed as { name?: unknown }).name : undefined;
  if (typeof own === 'string' && own !== '') return own;
  throw new ToolArgumentError('no automation name: pass `name`, or give the definition a `name`', [{ path: '$.name', message: 'required' }]);
}

const listAutomations = defineTool({
  name: 'list_automations',
  title: 'List automations',
  description: 'Lists the automations of the workspace with their status, version and triggers.',
  scope: Scope.automations_read,
  writes: false,
  input: {
    status: z.enum(['active', 'paused', 'archived']).optional().describe('only automations in this status'),
    cursor: z.string().optional().describe('next_cursor of the previous page'),
    limit: z.number().int().min(1).max(200).optional().describe('page size, default 50'),
  },
  output: { automations: z.array(Summary), next_cursor: z.string().nullable() },
  async run(client, args) {
    const page = await client.automations.list({ status: args.status, cursor: args.cursor, limit: args.limit ?? 50 });
    const automations = page.items.map(summary);
    const lines = automations.map((a) => `${a.name} v${a.version} ${a.status}`);
    return {
      structured: { automations, next_cursor: page.next_cursor ?? null },
      text: automations.length === 0 ? 'no automations' : `${automations.length} automation(s):\n${lines.join('\n')}`,
    };
  },
});

const getAutomation = defineTool({
  name: 'get_automation',
  title: 'Get an automation',
  description: 'One automation: its definition as YAML and JSON, its triggers with their next fire times, its status.',
  scope: Scope.automations_read,
  writes: false,
  input: { name: Name },
  output: {
    name: z.string(),
    status: z.string(),
    version: z.number(),
    paused: z.unknown(),
    source: z.string(),
    definition: z.record(z.string(), z.unknown()),
    yaml: z.string(),
    triggers: z.array(Trigger),
    next_fires: z.array(z.object({ trigger_id: z.string(), next: z.array(z.string()) })).describe('the next five fire times of each enabled schedule trigger'),
  },
  async run(client, args) {
    const a = await client.automations.get(args.name);
    const hasSchedule = a.triggers.some((t) => t.type === 'schedule');
    const next_fires = hasSchedule ? (await client.triggers.preview(a.name, { count: 5 })).map((p) => ({ trigger_id: p.trigger_id, next: p.next })) : [];
    const definition = a.definition as unknown as Record<string, unknown>;
    const yaml = toYaml(definition);
    return {
      structured: { name: a.name, status: a.status, version: a.version, paused: a.paused, source: a.source, definition, yaml, triggers: a.triggers.map(trigger), next_fires },
      text: `automation ${a.name} v${a.version} (${a.status})\n${yaml}`,
    };
  },
});

const validateAutomation = defineTool({
  name: 'validate_automation',
  title: 'Validate a definition',
  description:
    'Checks a definition without saving it (a dry run of apply): returns valid true, or every problem with its JSON path and a hint. Call it, fix what it reports, call it again, then apply_automation.',
  scope: Scope.automations_read,
  writes: false,
  input: { definition: DefinitionArg },
  output: { valid: z.boolean(), errors: z.array(Problem) },
  async run(client, args) {
    try {
      await client.automations.validate(args.definition as Record<string, unknown> | string);
      return { structured: { valid: true, errors: [] }, text: 'the definition is valid' };
    } catch (err) {
      if (!(err instanceof RotaApiError) || err.code !== 'definition_invalid') throw err;
      const errors = withHints(err.details);
      if (errors.length === 0) errors.push({ path: '$', message: err.message, hint: problemHint('$', err.message) });
      return {
        structured: { valid: false, errors },
        text: `the definition is invalid (${errors.length} problem(s)):\n${errors.map((e) => `- ${e.path}: ${e.message} (hint: ${e.hint})`).join('\n')}`,
      };
    }
  },
});

const applyAutomation = defineTool({
  name: 'apply_automation',
  title: 'Create or update an automation',
  description:
    'Creates the automation, or updates it (a changed definition becomes version N+1; an unchanged one is left alone). The name is the `name` argument or the definition\'s own. An invalid definition is refused with every problem (validate_automation first).',
  scope: Scope.automations_write,
  writes: true,
  input: { definition: DefinitionArg, name: Name.optional().describe("the automation's name (default: the definition's name)") },
  output: {
    name: z.string(),
    version: z.number(),
    status: z.string(),
    created: z.boolean(),
    changed: z.boolean().nullable(),
    warnings: z.array(z.object({ path: z.string(), message: z.string() })).describe('saved, but will fail at run time unless fixed (e.g. a secret not set yet)'),
  },
  async run(client, args) {
    const definition = args.definition as Record<string, unknown> | string;
    const name = targetName(args.name, definition);
    let outcome;
    try {
      outcome = await client.automations.apply(name, definition);
    } catch (err) {
      if (err instanceof RotaApiError && err.code === 'definition_invalid') throw new RotaApiError(err.status, err.code, err.message, withHints(err.details));
      throw err;
    }
    const a = outcome.automation;
    const what = outcome.created ? 'created' : outcome.changed === false ? 'unchanged' : 'updated';
    const warnings = outcome.warnings.map((w) => `\nwarning ${w.path}: ${w.message}`).join('');
    return {
      structured: { name: a.name, version: a.version, status: a.status, created: outcome.created, changed: outcome.changed, warnings: outcome.warnings },
      text: `automation ${a.name} ${what} (version ${a.version}, ${a.status})${warnings}`,
    };
  },
});

function statusTool(kind: 'pause' | 'resume'): RotaTool {
  return defineTool({
    name: `${kind}_automation`,
    title: `${kind === 'pause' ? 'Pause' : 'Resume'} an automation`,
    description:
      kind === 'pause'
        ? 'Pauses an automation: its triggers stop firing and manual runs are refused until it is resumed; runs in flight go on.'
        : 'Resumes a paused automation: its triggers fire again (schedules from their next slot).',
    scope: Scope.automations_write,
    writes: true,
    input: { name: Name },
    output: { name: z.string(), status: z.string(), version: z.number() },
    async run(client, args) {
      const a = kind === 'pause' ? await client.automations.pause(args.name) : await client.automations.resume(args.name);
      return { structured: { name: a.name, status: a.status, version: a.version }, text: `automation ${a.name} is ${a.status}` };
    },
  });
}

const previewSchedule = defineTool({
  name: 'preview_schedule',
  title: 'Preview schedule fire times',
  description: "The next fire times of each schedule trigger of an automation (UTC and the trigger's wall-clock time).",
  scope: Scope.automations_read,
  writes: false,
  input: {
    name: Name,
    count: z.number().int().min(1).max(100).optional().describe('how many fire times per trigger, default 5'),
    from: z.string().optional().describe('ISO 8601 time to start from (default: each trigger\'s cursor)'),
  },
  output: { triggers: z.array(z.object({ trigger_id: z.string(), enabled: z.boolean(), paused: z.boolean(), timezone: z.string(), next: z.array(z.string()), next_local: z.array(z.string()) })) },
  async run(client, args) {
    const triggers = (await client.triggers.preview(args.name, { count: args.count ?? 5, from: args.from })).map((t) => ({ ...t }));
    const text = triggers.length === 0 ? `${args.name} has no schedule trigger` : triggers.map((t) => `${t.trigger_id} (${t.timezone}): ${t.next.join(', ')}`).join('\n');
    return { structured: { triggers }, text };
  },
});

export const automationTools: RotaTool[] = [listAutomations, getAutomation, validateAutomation, applyAutomation, statusTool('pause'), statusTool('resume'), previewSchedule];

