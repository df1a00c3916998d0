import type { Command } from 'commander';
import { stringify } from 'yaml';
import { RotaApiError, type RotaClient, type SaveRunRequest, type SaveRunResult } from '../../client/index.js';
import type { SavedInput } from '../../definition/freeze.js';
import { ValidationError } from '../../errors.js';
import { clientFor, ExitError, printJson, serverCommand, withJson, type Io, type ServerOptions } from '../context.js';
import { parseValue } from '../inputs.js';
import { collect } from '../options.js';
import { printSaveReport, type Existing } from '../save-report.js';

interface SaveRunOptions extends ServerOptions {
  name: string;
  description?: string;
  input: string[];
  required: string[];
  default: string[];
  type: string[];
  keepPlanning: string[];
  literal: string[];
  schedule?: string;
  timezone?: string;
  scheduleInput: string[];
  allowReplan?: boolean;
  dryRun?: boolean;
}

/** Which flag declared each saved input (by index), so that `$.inputs[i]` problems name it. */
interface BuiltRequest {
  request: SaveRunRequest;
  inputFlags: string[];
}

export function registerSaveRun(program: Command, io: Io): void {
  withJson(serverCommand(program, 'save-run <run>', "save a succeeded planner run's plan as an automation (its planners frozen into the steps they made)"))
    .requiredOption('--name <name>', 'the automation to create, or to give a new version')
    .option('--description <text>', "the automation's description (default: which run it was saved from)")
    .option('-i, --input <name=description>', "declare an input used as {{ inputs.NAME }} in the saved prompts; optional, defaulting to the source run's value (repeatable)", collect, [])
    .option('--required <name>', 'declare an input as required: runs must give it (repeatable)', collect, [])
    .option('--default <name=value>', 'declare an optional input with this default; JSON when valid, else a string (repeatable)', collect, [])
    .option('--type <name=type>', "an input's type: string, number, integer or boolean (default: the source automation's, else string) (repeatable)", collect, [])
    .option('--keep-planning <step>', 'a planning step that keeps planning at run time (repeatable)', collect, [])
    .option('--literal <name>', "freeze an input of the source automation to the source run's value (repeatable)", collect, [])
    .option('--schedule <cron>', 'add a schedule trigger (id "schedule") with this cron expression')
    .option('--timezone <tz>', 'the schedule\'s IANA timezone, e.g. Europe/Berlin (default UTC)')
    .option('--schedule-input <name=value>', 'an input the schedule fires with; JSON when valid, else a string (repeatable)', collect, [])
    .option('--allow-replan', 'let the schedule fire an automation that still plans (needed with --keep-planning)')
    .option('--dry-run', 'print the report and the definition that would be saved; save nothing')
    .action(async (runId: string, options: SaveRunOptions) => {
      const { request, inputFlags } = buildRequest(options);
      const client = clientFor(io, options);
      let result: SaveRunResult;
      try {
        result = await client.runs.saveAsAutomation(runId, request);
      } catch (err) {
        throw annotateProblems(err, inputFlags, request);
      }
      if (options.json) return printJson(io, result);
      const existing = result.dry_run ? await existingVersion(client, options.name) : 'unknown';
      printSaveReport(io, result, { name: options.name, runId, existing });
      if (result.dry_run) {
        io.out('');
        io.out('# the definition that would be saved:');
        io.out(stringify(result.definition, { lineWidth: 0 }).trimEnd());
      }
      for (const w of result.warnings) io.err(`${options.name}: warning: ${w.path}: ${w.message}`);
    });
}

function buildRequest(options: SaveRunOptions): BuiltRequest {
  const inputs = new Map<string, SavedInput>();
  const flags = new Map<string, string>();
  const declare = (name: string, flag: string): SavedInput => {
    if (!inputs.has(name)) {
      inputs.set(name, { name });
      flags.set(name, `${flag} ${name}`);
    }
    return inputs.get(name)!;
  };
  for (const text of options.input) {
    const eq = text.indexOf('=');
    const input = declare(eq < 0 ? text : text.slice(0, eq), '--input');
    if (eq >= 0) input.description = text.slice(eq + 1);
  }
  for (const name of options.required) declare(name, '--required').required = true;
  for (const [name, value] of pairs('--default', options.default)) {
    const input = declare(name, '--default');
    if (input.required) usage(`input "${name}" is given both --required and --default: a required input has no default; drop one of them`);
    input.default = parseValue(value);
  }
  for (const [name, type] of pairs('--type', options.type)) declare(name, '--type').type = type as SavedInput['type'];

  const request: SaveRunRequest = { name: options.name };
  if (options.description !== undefined) request.description = options.description;
  if (inputs.size > 0) request.inputs = [...inputs.values()];
  if (options.keepPlanning.length > 0) request.keep_planning = options.keepPlanning;
  if (options.literal.length > 0) request.literal = options.literal;
  const schedule = scheduleTrigger(options);
  if (schedule) request.triggers = [schedule as never];
  if (options.dryRun) request.dry_run = true;
  return { request, inputFlags: [...inputs.keys()].map((name) => flags.get(name)!) };
}

function scheduleTrigger(options: SaveRunOptions): Record<string, unknown> | null {
  if (options.schedule === undefined) {
    const stray = [options.timezone !== undefined && '--timezone', options.scheduleInput.length > 0 && '--schedule-input', options.allowReplan && '--allow-replan'].filter(Boolean);
    if (stray.length > 0) usage(`${stray.join(', ')} ${stray.length === 1 ? 'belongs' : 'belong'} to a schedule: add --schedule CRON (e.g. --schedule "0 9 * * 1-5")`);
    return null;
  }
  const trigger: Record<string, unknown> = { id: 'schedule', type: 'schedule', cron: options.schedule };
  if (options.timezone !== undefined) trigger.timezone = options.timezone;
  if (options.scheduleInput.length > 0) trigger.inputs = Object.fromEntries(pairs('--schedule-input', options.scheduleInput).map(([k, v]) => [k, parseValue(v)]));
  if (options.allowReplan) trigger.allow_replan = true;
  return trigger;
}

function pairs(flag: string, values: string[]): [string, string][] {
  return values.map((text) => {
    const eq = text.indexOf('=');
    if (eq <= 0) throw new ValidationError(`${flag} expects name=value, got "${text}"`, [{ path: flag, message: `expected name=value, got "${text}"` }]);
    return [text.slice(0, eq), text.slice(eq + 1)];
  });
}

function usage(message: string): never {
  throw new ExitError(2, message);
}

/**
 * The server's problem paths point into the request (`$.inputs[1]`, `$.keep_planning`,
 * `$.triggers[0]`), which a CLI user never wrote: each gets the flag it came from.
 */
function annotateProblems(err: unknown, inputFlags: string[], request: SaveRunRequest): unknown {
  if (!(err instanceof RotaApiError) || err.code !== 'definition_invalid' || !Array.isArray(err.details)) return err;
  const details = err.details.map((d: unknown) => {
    if (typeof d !== 'object' || d === null || typeof (d as { path?: unknown }).path !== 'string') return d;
    const problem = d as { path: string; message: string };
    const flag = flagFor(problem.path, inputFlags, request);
    return flag ? { ...problem, path: `${problem.path} (${flag})` } : problem;
  });
  return new RotaApiError(err.status, err.code, err.message, details, { cause: err });
}

function flagFor(path: string, inputFlags: string[], request: SaveRunRequest): string | null {
  const input = /^\$\.inputs\[(\d+)\]/.exec(path);
  if (input) return inputFlags[Number(input[1])] ?? null;
  if (path.startsWith('$.keep_planning')) return '--keep-planning';
  if (path.startsWith('$.triggers[0]') && request.triggers) return '--schedule';
  return null;
}

/** The automation's current version before a dry run: 'none' when it does not exist, 'unknown' when the token may not read it. */
async function existingVersion(client: RotaClient, name: string): Promise<Existing> {
  try {
    return (await client.automations.get(name)).version;
  } catch (err) {
    if (err instanceof RotaApiError && err.status === 404) return 'none';
    if (err instanceof RotaApiError && err.status === 403) return 'unknown';
    throw err;
  }
}
