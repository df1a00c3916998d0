import type { SaveRunResult } from '../client/index.js';
import type { Io } from './context.js';

/** The automation's version before a dry run: 'none' when it does not exist, 'unknown' when not known. */
export type Existing = number | 'none' | 'unknown';

type Report = SaveRunResult['report'];

/**
 * What `rota save-run` says: what was saved (or, on a dry run, what would be), then the
 * freezability report section by section, then the command to run next.
 */
export function printSaveReport(io: Io, result: SaveRunResult, at: { name: string; runId: string; existing: Existing }): void {
  io.out(headline(result, at));
  const { report } = result;
  io.out('');
  section(io, 'frozen (each planning step replaced by the steps it made)', report.frozen.map((f) => `${f.step} -> ${f.steps.join(', ') || '(no steps)'}`), 'none');
  section(io, 'still planning (they plan again at every run)', report.still_planning.map((s) => `${s.step}: ${s.reason}`));
  section(io, 'taken from the source run as it was', report.literals.map((l) => `${l.path} = ${short(l.value)}  (${l.reason})`));
  section(io, 'inputs', report.inputs.flatMap(inputLines), `none (every run does the same; declare one with --input NAME=description)`);
  section(io, 'warnings', report.warnings.map((w) => `${w.path} (${w.code}): ${w.message}`));
  if (report.triggers.length > 0) io.out(`triggers: ${report.triggers.join(', ')}`);
  for (const line of nextSteps(result, at.name)) io.out(line);
}

function headline(result: SaveRunResult, at: { name: string; runId: string; existing: Existing }): string {
  const from = `from run ${at.runId}`;
  if (result.dry_run) {
    const what =
      at.existing === 'none' ? `would create automation ${at.name}` :
      at.existing === 'unknown' ? (result.created ? `would create automation ${at.name}` : result.changed ? `would write a new version of ${at.name}` : `would change nothing in ${at.name}`) :
      result.changed ? `would become version ${at.existing + 1} of ${at.name}` : `would change nothing (version ${at.existing} of ${at.name} already is this definition)`;
    return `dry run, nothing was saved: ${what} ${from}${result.report.partially_frozen ? ' (partially frozen)' : ''}`;
  }
  const version = result.automation?.version ?? 0;
  const outcome = result.created ? `created (version ${version})` : result.changed ? `updated (version ${version})` : `unchanged (version ${version} already is this definition)`;
  return `${at.name}: ${outcome} ${from}${result.report.partially_frozen ? ', partially frozen' : ''}`;
}

function section(io: Io, title: string, lines: string[], empty?: string): void {
  if (lines.length === 0 && empty === undefined) return;
  if (lines.length === 0) return io.out(`${title}: ${empty}`);
  io.out(`${title}:`);
  for (const line of lines) io.out(`  ${line}`);
}

function inputLines(input: Report['inputs'][number]): string[] {
  const kind = input.required ? 'required' : `optional, default ${short(input.default)}`;
  const about = input.description ? `: ${input.description}` : '';
  const used = input.used_at.length > 0 ? input.used_at.join(', ') : 'nowhere';
  return [`${input.name} (${input.type}, ${kind})${about}`, `  used at ${used}`];
}

function nextSteps(result: SaveRunResult, name: string): string[] {
  if (result.dry_run) return ['next: run the same command without --dry-run to save it'];
  const required = result.report.inputs.filter((i) => i.required).map((i) => ` --input ${i.name}=...`).join('');
  const lines = [`next: rota run ${name}${required} --wait`];
  if ((result.definition.triggers ?? []).some((t) => t.type === 'schedule')) lines.push(`      rota schedule next ${name}   (when its schedule fires)`);
  return lines;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
