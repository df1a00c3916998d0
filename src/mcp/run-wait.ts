/**
 * Bounded waiting for a run: returns once the run has ended, or is waiting (for an approval, an
 * event, a timer: nothing a tool call should block on), or the time is up. A long run never holds
 * a tool call past `maxMs`; the caller reports the status and says how to look again.
 */
import type { RotaClient, RunView } from '../client/index.js';
import { isTerminalRun } from '../states.js';

export const DEFAULT_WAIT_SECONDS = 10;
export const MAX_WAIT_SECONDS = 60;

export async function awaitRun(client: RotaClient, id: string, maxMs: number, first?: RunView): Promise<RunView> {
  const deadline = Date.now() + maxMs;
  let run = first ?? (await client.runs.get(id));
  // polling, not the SSE stream: one short GET per interval is what any node of several can answer
  let interval = 50;
  while (!settled(run) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(interval, Math.max(0, deadline - Date.now()))));
    interval = Math.min(interval * 2, 500);
    run = await client.runs.get(id);
  }
  return run;
}

function settled(run: RunView): boolean {
  // a retry backoff is usually short: keep waiting through it
  return isTerminalRun(run.status) || (run.status === 'waiting' && run.waiting_for !== 'retry');
}

/** One line on what to do after a bounded wait. */
export function nextStep(run: RunView): string {
  if (isTerminalRun(run.status)) return run.status === 'failed' || run.status === 'timed_out' ? 'read the error and steps with get_run or get_run_report; retry_run starts it again' : 'done; get_run_report has the full report';
  if (run.status === 'waiting') {
    const kind = run.waiting_for;
    return kind === 'approval' ? 'the run waits for an approval: list_approvals, then decide_approval' : `the run waits${kind ? ` (${kind})` : ''}; wait_for_run or get_run later`;
  }
  return 'still running: call wait_for_run (bounded) or get_run later';
}
