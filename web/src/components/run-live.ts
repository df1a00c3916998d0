/**
 * Live progress of a run over its SSE stream: new log entries are appended to the cached log, and
 * the run view, pending approvals and agent conversations are refreshed — throttled, so a run
 * that writes a thousand entries a second costs about one refetch a second, not a thousand.
 * The stream is reopened after a drop (from the last entry seen) and closed when the run ends or
 * the user pauses live updates.
 */
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { RotaClient, RunEventView, RunView } from '../../../src/client/index.js';
import { TERMINAL, appendEvents, fetchAllEvents, runKeys } from './run-data';
import { isRunEnd } from './run-timeline-model';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'paused' | 'ended';

/** Entries are applied at most this often (one re-render per batch). */
const FLUSH_MS = 150;
/**
 * The run view (with every step's input and output) is refetched at most this often; a big run's
 * view is big (500 small `set` steps: 209 kB), so less often.
 */
const REFRESH_MS = 1_000;
const REFRESH_BIG_MS = 3_000;
const BIG_RUN_STEPS = 100;
const BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000];

/**
 * Runs `fn` at most once per `ms`: at once when idle, else once at the end of the window;
 * `flush` runs a pending call now (the run ended, the stream closes).
 */
function throttle(fn: () => void, ms: number): { call(): void; flush(): void } {
  let last = 0;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = () => {
    timer = null;
    last = Date.now();
    fn();
  };
  return {
    call() {
      if (timer) return;
      const wait = last + ms - Date.now();
      if (wait <= 0) run();
      else timer = setTimeout(run, wait);
    },
    flush() {
      if (!timer) return;
      clearTimeout(timer);
      run();
    },
  };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * Applies streamed entries to the cache in batches and refreshes what they change: the run view,
 * its pending approvals (approval.* entries), the conversations of the steps they name.
 */
function entryApplier(queryClient: QueryClient, runId: string, refreshMs: number) {
  let buffer: RunEventView[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  const steps = new Set<string>();
  const refreshRun = throttle(() => void queryClient.invalidateQueries({ queryKey: runKeys.run(runId), exact: true }), refreshMs);
  const refreshApprovals = throttle(() => void queryClient.invalidateQueries({ queryKey: runKeys.approvals(runId) }), REFRESH_MS);
  const refreshConversations = throttle(() => {
    for (const step of steps) void queryClient.invalidateQueries({ queryKey: runKeys.conversation(runId, step) });
    steps.clear();
  }, REFRESH_MS);
  const flushRefreshes = () => {
    refreshRun.flush();
    refreshApprovals.flush();
    refreshConversations.flush();
  };
  const apply = () => {
    timer = null;
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    appendEvents(queryClient, runId, batch);
    let ended = false;
    let approvals = false;
    for (const e of batch) {
      if (e.step_id === null && isRunEnd(e.type)) ended = true;
      if (e.type.startsWith('approval.')) approvals = true;
      if (e.step_id && /^(agent|artifact|budget|step)\./.test(e.type)) steps.add(e.step_id);
    }
    refreshRun.call();
    if (approvals || ended) refreshApprovals.call();
    if (steps.size > 0) refreshConversations.call();
    // the end is shown at once, not at the end of a throttle window
    if (ended) flushRefreshes();
  };
  return {
    push(event: RunEventView) {
      buffer.push(event);
      timer ??= setTimeout(apply, FLUSH_MS);
    },
    /** the newest seq seen, cached or buffered */
    lastSeq(): number {
      const cached = queryClient.getQueryData<RunEventView[]>(runKeys.events(runId)) ?? [];
      const last = buffer.length > 0 ? buffer[buffer.length - 1].seq : 0;
      return Math.max(last, cached.length > 0 ? cached[cached.length - 1].seq : 0);
    },
    /** applies what is buffered and runs pending refreshes now */
    close() {
      if (timer) clearTimeout(timer);
      apply();
      flushRefreshes();
    },
  };
}

/**
 * Follows the run's stream until it ends or `signal` aborts, reopening it after a drop (with
 * backoff) from the last entry seen.
 */
async function follow(
  client: RotaClient,
  runId: string,
  entries: ReturnType<typeof entryApplier>,
  setState: (state: LiveState) => void,
  onEnded: (run: RunView) => void,
  signal: AbortSignal,
): Promise<void> {
  let failures = 0;
  let live = false;
  while (!signal.aborted) {
    let sawEnd = false;
    try {
      await client.streamRunEvents(
        runId,
        (event) => {
          if (!live) setState('live');
          live = true;
          failures = 0;
          if (event.step_id === null && isRunEnd(event.type)) sawEnd = true;
          entries.push(event);
        },
        // from one entry back: its replay confirms the connection even while the run is idle
        { after: Math.max(0, entries.lastSeq() - 1), signal },
      );
      if (signal.aborted) return;
      if (sawEnd) return setState('ended');
      // The server also ends the stream of a run that ended without an end entry (skipped).
      const run = await client.runs.get(runId).catch(() => null);
      if (run && TERMINAL.has(run.status)) {
        onEnded(run);
        return setState('ended');
      }
      failures = 1;
    } catch {
      if (signal.aborted) return;
      failures++;
    }
    live = false;
    setState('reconnecting');
    await sleep(BACKOFF_MS[Math.min(failures - 1, BACKOFF_MS.length - 1)], signal);
  }
}

export function useRunLive({
  client,
  runId,
  ended,
  paused,
  ready,
  steps,
}: {
  client: RotaClient;
  runId: string;
  ended: boolean;
  paused: boolean;
  ready: boolean;
  /** how many steps the run has (a big run's view is refetched less often) */
  steps: number;
}): LiveState {
  const queryClient = useQueryClient();
  const active = ready && !ended && !paused;
  const [state, setState] = useState<LiveState>('connecting');
  const refreshMs = steps > BIG_RUN_STEPS ? REFRESH_BIG_MS : REFRESH_MS;

  // A log cached while the run was live (another visit, a pause) misses what came after: once the
  // run has ended, read the rest.
  useEffect(() => {
    if (!ready || !ended) return;
    const cached = queryClient.getQueryData<RunEventView[]>(runKeys.events(runId)) ?? [];
    if (cached.some((e) => e.step_id === null && isRunEnd(e.type))) return;
    const controller = new AbortController();
    fetchAllEvents(client, runId, cached.length > 0 ? cached[cached.length - 1].seq : 0)
      .then((rest) => {
        if (!controller.signal.aborted) appendEvents(queryClient, runId, rest);
      })
      .catch(() => undefined);
    return () => controller.abort();
  }, [ready, ended, client, runId, queryClient]);

  useEffect(() => {
    if (!active) return;
    const controller = new AbortController();
    const entries = entryApplier(queryClient, runId, refreshMs);
    setState('connecting');
    // what changed while nobody followed (paused, loading) is in the stream's replay; the run view is read again
    void queryClient.invalidateQueries({ queryKey: runKeys.run(runId), exact: true });
    void follow(client, runId, entries, setState, (run) => queryClient.setQueryData(runKeys.run(runId), run), controller.signal);
    return () => {
      controller.abort();
      entries.close();
    };
  }, [active, client, runId, queryClient, refreshMs]);

  if (ended) return 'ended';
  if (paused) return 'paused';
  return state;
}
