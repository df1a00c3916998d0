/** `save_run_as_automation`: a succeeded planner run's realized plan frozen into an automation (SPEC §6). */
import { stringify as toYaml } from 'yaml';
import { z } from 'zod';
import { RotaApiError, type SaveRunRequest, type SaveRunResult } from '../client/index.js';
import { Scope } from '../states.js';
import { problemHint } from './automation-tools.js';
import { defineTool, type RotaTool } from './tool.js';

const SavedInput = z.object({
  name: z.string().min(1).max(64).describe('letters, digits, _ and -; used as {{ inputs.NAME }} in text fields (prompts, messages) of the saved steps'),
  description: z.string().max(2000).optional(),
  required: z.boolean().optional().describe("default false: optional, defaulting to the source run's value (or `default`)"),
  default: z.unknown().optional(),
  type: z.enum(['string', 'number', 'integer', 'boolean']).optional().describe("default: the source automation's type for this input, else string"),
});

const Report = z.object({
  source_run: z.string(),
  frozen: z.array(z.object({ step: z.string(), steps: z.array(z.string()) })).describe('planning steps replaced by the steps they produced'),
  still_planning: z.array(z.object({ step: z.string(), reason: z.string() })).describe('planning steps that plan again at every run'),
  partially_frozen: z.boolean(),
  literals: z.array(z.object({ path: z.string(), value: z.unknown(), reason: z.string() })).describe('values the saved definition holds as they were in the source run'),
  inputs: z.array(z.object({ name: z.string(), type: z.string(), required: z.boolean(), default: z.unknown().optional(), description: z.string().optional(), used_at: z.array(z.string()) })),
  warnings: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).describe("where the source run's course depended on what it found"),
  triggers: z.array(z.string()),
});

/** Hints for save problems: paths into the request (`$.inputs[i]`) or into the saved definition. */
export function saveProblemHint(path: string, message: string): string {
  if (/is not declared/.test(message)) return 'declare the input in `inputs` (name and description), or freeze the source run\'s value with `literal: [NAME]`';
  if (/only in text fields|cannot be frozen|cannot be read here/.test(message)) return 'list the input in `literal` to freeze the source run\'s value there';
  if (/is not used/.test(message)) return 'drop it from `inputs`: only inputs used as {{ inputs.NAME }} in a prompt or message of the saved steps can be declared';
  if (/^\$\.inputs\[/.test(path)) return 'fix this entry of the `inputs` argument (its index is in the path)';
  if (/^\$\.keep_planning/.test(path)) return 'keep_planning lists ids of planning steps of the run (get_run: its steps)';
  if (/allow_replan/.test(message)) return 'a schedule on an automation that still plans needs allow_replan: true in the trigger, or freeze every planner';
  return problemHint(path, message);
}

function problems(details: unknown): { path: string; message: string; hint: string }[] {
  if (!Array.isArray(details)) return [];
  return details.map((d: unknown) => {
    const { path, message } = (typeof d === 'object' && d !== null ? d : { message: String(d) }) as { path?: unknown; message?: unknown };
    const p = typeof path === 'string' && path !== '' ? path : '$';
    return { path: p, message: String(message ?? ''), hint: saveProblemHint(p, String(message ?? '')) };
  });
}

function summary(r: SaveRunResult, name: string): string {
  const { report } = r;
  const what = r.dry_run ? `dry run, nothing saved: ${name} would be saved` : `${name} ${r.created ? 'created' : r.changed ? 'updated' : 'unchanged'} (version ${r.automation?.version ?? '?'})`;
  const lines = [`${what} from run ${report.source_run}${report.partially_frozen ? ', partially frozen' : ''}`];
  for (const f of report.frozen) lines.push(`frozen ${f.step} -> ${f.steps.join(', ')}`);
  for (const s of report.still_planning) lines.push(`still planning ${s.step}: ${s.reason}`);
  for (const i of report.inputs) lines.push(`input ${i.name} (${i.type}${i.required ? ', required' : ''}) used at ${i.used_at.join(', ')}`);
  for (const l of report.literals) lines.push(`literal ${l.path} = ${JSON.stringify(l.value)} (${l.reason})`);
  for (const w of report.warnings) lines.push(`warning ${w.path}: ${w.message}`);
  return lines.join('\n');
}

function next(r: SaveRunResult, name: string): string {
  if (r.dry_run) return 'call save_run_as_automation again without dry_run to save it';
  const required = r.report.inputs.filter((i) => i.required).map((i) => i.name);
  return `call start_run with automation "${name}"${required.length > 0 ? ` and inputs ${required.join(', ')}` : ''}`;
}

export const saveRunAsAutomation: RotaTool = defineTool({
  name: 'save_run_as_automation',
  title: 'Save a run as an automation',
  description:
    "Freezes a succeeded run's realized plan into an automation (new, or a new version of one): each planning step is replaced by the steps it made, so later runs do the same steps without planning. " +
    '{{ inputs.NAME }} may stay only in text fields (prompts, messages); declare each in `inputs`, or freeze it with `literal`. ' +
    'Call with dry_run: true first to read the report (what was frozen, literals, inputs and where they are used, warnings); problems come back with paths and hints.',
  scope: [Scope.runs_read, Scope.automations_write],
  writes: true,
  input: {
    run_id: z.string().min(1).max(100).describe('a succeeded run with a planning step'),
    name: z.string().min(1).max(63).describe('the automation to create, or to give a new version'),
    description: z.string().max(2000).optional(),
    inputs: z.array(SavedInput).max(100).optional().describe('the inputs of the saved automation'),
    keep_planning: z.array(z.string().max(200)).max(100).optional().describe('planning steps that keep planning at run time'),
    literal: z.array(z.string().max(64)).max(100).optional().describe("inputs of the source automation frozen to the source run's value"),
    triggers: z.array(z.record(z.string(), z.unknown())).max(100).optional().describe("triggers as in a definition (a schedule on one that still plans needs allow_replan: true); default: an existing automation's own, none for a new one"),
    dry_run: z.boolean().optional().describe('report what would be saved; save nothing'),
  },
  output: {
    dry_run: z.boolean(),
    name: z.string(),
    version: z.number().nullable().describe('the saved version; null on a dry run'),
    created: z.boolean(),
    changed: z.boolean(),
    definition: z.record(z.string(), z.unknown()).describe('the definition that was (or would be) saved'),
    yaml: z.string(),
    report: Report,
    warnings: z.array(z.object({ path: z.string(), message: z.string() })).describe('saved, but will fail at run time unless fixed'),
    next: z.string().describe('what to do next'),
  },
  async run(client, args) {
    const { run_id, ...request } = args;
    let result: SaveRunResult;
    try {
      result = await client.runs.saveAsAutomation(run_id, request as SaveRunRequest);
    } catch (err) {
      if (err instanceof RotaApiError && err.code === 'definition_invalid') throw new RotaApiError(err.status, err.code, err.message, problems(err.details), { cause: err });
      throw err;
    }
    const definition = result.definition as unknown as Record<string, unknown>;
    return {
      structured: {
        dry_run: result.dry_run,
        name: args.name,
        version: result.automation?.version ?? null,
        created: result.created,
        changed: result.changed,
        definition,
        yaml: toYaml(definition, { lineWidth: 0 }),
        report: result.report,
        warnings: result.warnings,
        next: next(result, args.name),
      },
      text: `${summary(result, args.name)}\nnext: ${next(result, args.name)}`,
    };
  },
});
