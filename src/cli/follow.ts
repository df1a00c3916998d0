import { RotaApiError, type RotaClient } from '../client/index.js';
import { isTerminalRun } from '../states.js';
import type { RunEventView, RunView } from '../node/views.js';

const STATUS_CHECK_MS = 1_000;
const RECONNECT_MS = 500;

/**
 * Calls `onEvent` for every event of the run after `after`, live, until the run is terminal;
 * resolves with the final run. Reads the SSE stream, reconnecting from the last seq when it drops,
 * and falls back to polling the events endpoint when the stream is not available. The run status
 * is checked on a timer, so this does not depend on the names of run events.
 */
export async function followRun(
  client: RotaClient,
  runId: string,
  onEvent: (event: RunEventView) => void,
  after = 0,
): Promise<RunView> {
  let last = after;
  const deliver = (event: RunEventView) => {
    if (event.seq <= last) return;
    last = event.seq;
    onEvent(event);
  };
  let streaming = true;
  for (;;) {
    const finished = streaming ? await streamUntilTerminal(client, runId, () => last, deliver) : await pollOnce(client, runId, () => last, deliver);
    if (finished === 'no-stream') {
      streaming = false;
      continue;
    }
    if (finished) {
      // Events written with or after the terminal status may not have been streamed yet.
      for (const event of await client.runs.events(runId, { after: last })) deliver(event);
      return finished;
    }
    await sleep(RECONNECT_MS);
  }
}

async function streamUntilTerminal(
  client: RotaClient,
  runId: string,
  last: () => number,
  deliver: (event: RunEventView) => void,
): Promise<RunView | null | 'no-stream'> {
  const controller = new AbortController();
  let final = null as RunView | null;
  let failure = null as unknown;
  const timer = setInterval(() => {
    client.runs.get(runId).then(
      (run) => {
        if (isTerminalRun(run.status)) {
          final = run;
          controller.abort();
        }
      },
      (err: unknown) => {
        failure = err;
        controller.abort();
      },
    );
  }, STATUS_CHECK_MS);
  try {
    await client.streamRunEvents(runId, deliver, { after: last(), signal: controller.signal });
  } catch (err) {
    if (!(err instanceof RotaApiError) || [0, 401, 403].includes(err.status)) throw err;
    return 'no-stream';
  } finally {
    clearInterval(timer);
  }
  if (failure) throw failure;
  if (final) return final;
  const run = await client.runs.get(runId);
  return isTerminalRun(run.status) ? run : null;
}

async function pollOnce(client: RotaClient, runId: string, last: () => number, deliver: (event: RunEventView) => void): Promise<RunView | null> {
  const run = await client.runs.get(runId);
  for (const event of await client.runs.events(runId, { after: last() })) deliver(event);
  return isTerminalRun(run.status) ? run : null;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
