import { RunStatus } from '../states.js';
import type { RotaClient } from '../client/index.js';
import type { RunView } from '../node/views.js';
import { printJson, type Io } from './context.js';
import { followRun } from './follow.js';
import { formatEvent, formatMs, runDuration } from './format.js';
import { startSpinner } from './spinner.js';

export function runLine(run: RunView): string {
  const where = run.automation ? ` (${run.automation} v${run.version})` : '';
  return `run ${run.id} ${run.status}${where}`;
}

/** 0 when the run succeeded, 1 for any other end. */
export function exitCodeForRun(run: RunView): number {
  return run.status === RunStatus.succeeded ? 0 : 1;
}

/**
 * Prints a started run; with `wait`, follows it live (one line per event) and prints the final
 * status and error. Returns the exit code.
 */
export async function reportRun(io: Io, client: RotaClient, run: RunView, options: { wait?: boolean; json?: boolean }): Promise<number> {
  if (!options.wait) {
    if (options.json) printJson(io, run);
    else io.out(runLine(run));
    return 0;
  }
  if (!options.json) io.out(runLine(run));
  const spinner = startSpinner(io.isTTY && !options.json, 'waiting for the run to finish');
  const final = await followRun(client, run.id, (event) => {
    spinner.clear();
    if (!options.json) io.out(formatEvent(event));
  }).finally(() => spinner.stop());
  if (options.json) {
    printJson(io, await client.runs.get(final.id));
  } else {
    io.out(`run ${final.id} ${final.status} in ${formatMs(runDuration(final))}`);
    if (final.output !== null && final.output !== undefined) io.out(`output: ${JSON.stringify(final.output, null, 2)}`);
    if (final.error) io.err(`error: ${final.error.step_id ? `step ${final.error.step_id}: ` : ''}${final.error.code}: ${final.error.message}`);
    if (final.skip_reason) io.out(`skip reason: ${final.skip_reason}`);
  }
  return exitCodeForRun(final);
}
