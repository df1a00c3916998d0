/**
 * Watching runs: waiting for a run to end (`runs.wait`, the API's `?wait=`, `rota run --wait`) and
 * following its run log live (SSE, `rota runs logs -f`). Events of runs executed on this node
 * arrive through the notifier at once; runs executed by other nodes are polled as a fallback.
 */
import { getRunRow, listRunEvents } from '../store/runs.js';
import { isTerminalRun, RunStatus, runStatusAfter } from '../states.js';
import type { EngineContext } from '../engine/context.js';
import type { RunEventView } from '../engine/run-events.js';
import { runEventView } from './convert.js';
import { every } from '../clock.js';

const WAIT_POLL_MS = 250;
const SUBSCRIBE_POLL_MS = 500;

export class RunWatch {
  constructor(private readonly ctx: EngineContext) {}

  /** Resolves once the run is terminal (or waiting, with `untilWaiting`) or `timeoutMs` passed. */
  async until(runId: string, timeoutMs: number, opts: { untilWaiting?: boolean } = {}): Promise<void> {
    const done = (status: string | null) => status !== null && (isTerminalRun(status) || (opts.untilWaiting === true && status === RunStatus.waiting));
    const first = await getRunRow(this.ctx.store.db, runId);
    if (!first || done(first.status) || timeoutMs <= 0) return;
    const { clock } = this.ctx;
    await new Promise<void>((resolve) => {
      const finish = () => {
        clock.clearTimer(timer);
        stopPoll();
        off();
        resolve();
      };
      const timer = clock.setTimer(timeoutMs, finish);
      const stopPoll = every(clock, WAIT_POLL_MS, () => {
        void getRunRow(this.ctx.store.db, runId).then((r) => r && done(r.status) && finish(), () => undefined);
      });
      const off = this.ctx.notifier.subscribe(runId, (events) => {
        if (events.some((e) => done(runStatusAfter(e.type)))) finish();
      });
    });
  }

  /** Live run-log entries after `afterSeq`, in order and without gaps; returns unsubscribe. */
  subscribe(runId: string, afterSeq: number, onEvent: (event: RunEventView) => void): () => void {
    let last = afterSeq;
    let closed = false;
    const deliver = (events: RunEventView[]) => {
      for (const e of events) {
        if (e.seq <= last || closed) continue;
        last = e.seq;
        onEvent(e);
      }
    };
    const catchUp = async () => deliver((await listRunEvents(this.ctx.store.db, runId, last, 1000)).map(runEventView));
    // Local events arrive at once; a poll catches events written by other nodes and any gap.
    const off = this.ctx.notifier.subscribe(runId, (events) => {
      if (events[0] && events[0].seq !== last + 1) void catchUp().catch(() => undefined);
      else deliver(events);
    });
    const stopPoll = every(this.ctx.clock, SUBSCRIBE_POLL_MS, () => void catchUp().catch(() => undefined));
    void catchUp().catch(() => undefined);
    return () => {
      closed = true;
      off();
      stopPoll();
    };
  }
}
