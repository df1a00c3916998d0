/**
 * Claims runs into this node's slots and keeps their leases alive.
 *
 * One claim transaction takes as many due runs as there are free slots (batch-shaped: at 200 runs
 * in flight a per-run claim transaction cost more than the steps themselves). Wake-ups come from
 * this node (in-process signal), from other nodes (PostgreSQL NOTIFY), from a timer set to the
 * earliest known due time, and from a fallback poll.
 */
import { RunEventType, RunStatus } from '../states.js';
import { AbortReason } from '../errors.js';
import type { EngineContext } from './context.js';
import {
  countActiveRuns,
  lockAutomationRows,
  renewLeases,
  selectClaimable,
  type RunRow,
} from '../store/runs.js';
import { claimRuns, deferClaim, insertClaimEvents, lockWorkspacesAndCountActive, nextClaimAt, stepsOfRuns } from '../store/claims.js';
import type { Conn } from '../store/connect.js';
import { RunExecutor } from './run-executor.js';
import type { SegmentStart } from './run-trace.js';
import { Channel } from '../store/channels.js';
import { every, type TimerHandle } from '../clock.js';

/** A queued run held back by concurrency is re-checked at the latest after this long. */
const CONCURRENCY_RECHECK_MS = 5_000;

export class Worker {
  readonly #ctx: EngineContext;
  readonly #active = new Map<string, RunExecutor>();
  readonly #drains = new Set<Promise<void>>();
  #running = false;
  #claiming = false;
  #claimLoopDone: Promise<void> = Promise.resolve();
  #again = false;
  #stopPoll: (() => void) | null = null;
  #dueTimer: TimerHandle | null = null;
  #stopHeartbeat: (() => void) | null = null;
  #unsubscribe: Array<() => void | Promise<void>> = [];

  constructor(ctx: EngineContext) {
    this.#ctx = ctx;
  }

  get activeRuns(): number {
    return this.#active.size;
  }

  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const { worker } = this.#ctx.config;
    this.#unsubscribe.push(this.#ctx.notifier.onRunsAvailable(() => this.wake()));
    this.#unsubscribe.push(await this.#ctx.store.listen(Channel.wake, () => this.wake()));
    const { clock } = this.#ctx;
    this.#stopPoll = every(clock, worker.pollMs, () => this.wake());
    this.#stopHeartbeat = every(clock, Math.max(50, Math.floor(worker.leaseMs / 3)), () => void this.#heartbeat());
    this.wake();
  }

  /** Stops claiming; lets in-flight runs finish for `graceMs`, then releases their leases. */
  async stop(graceMs: number): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    const { clock } = this.#ctx;
    this.#stopPoll?.();
    clock.clearTimer(this.#dueTimer);
    for (const off of this.#unsubscribe) await off();
    this.#unsubscribe = [];
    await this.#claimLoopDone;
    const all = Promise.all([...this.#drains]);
    let timer: TimerHandle | null = null;
    const graceOver = new Promise<void>((resolve) => (timer = clock.setTimer(graceMs, resolve)));
    await Promise.race([all, graceOver]);
    clock.clearTimer(timer);
    for (const executor of this.#active.values()) executor.stop(AbortReason.shutdown);
    await all;
    this.#stopHeartbeat?.();
  }

  /** Tells a local executor to cancel its run now (the API's cancel on this node). */
  cancelLocal(runId: string): boolean {
    const executor = this.#active.get(runId);
    executor?.stop(AbortReason.cancel);
    return executor !== undefined;
  }

  wake(): void {
    if (!this.#running) return;
    if (this.#claiming) {
      this.#again = true;
      return;
    }
    this.#claiming = true;
    this.#claimLoopDone = new Promise((resolve) => setImmediate(() => void this.#claimLoop().finally(resolve)));
  }

  async #claimLoop(): Promise<void> {
    try {
      do {
        this.#again = false;
        const free = this.#ctx.config.worker.concurrency - this.#active.size;
        if (free <= 0 || !this.#running) break;
        const claimed = await this.#claim(free);
        for (const item of claimed) this.#execute(item.run, item.executor);
        if (claimed.length === free) this.#again = true;
        else await this.#armDueTimer();
      } while (this.#again && this.#running);
    } catch (err) {
      this.#ctx.logger.error({ err: String(err) }, 'claiming runs failed; retrying on the next poll');
    } finally {
      this.#claiming = false;
    }
  }

  /**
   * The candidates that may start now: a queued run waits while its automation's concurrency
   * (execution.concurrency) or its workspace's (limits.workspaceConcurrency) is used up. Both
   * count running and waiting runs, under row locks (automations, then workspaces, each in id
   * order) so that nodes claiming at once never exceed them together.
   */
  async #admit(tx: Conn, rows: RunRow[], now: number): Promise<RunRow[]> {
    const { dialect } = this.#ctx.store;
    const taken: RunRow[] = [];
    const batchCounts = new Map<string, number>();
    const fresh = rows.filter((r) => !this.#active.has(r.id));
    const limited = (row: RunRow): row is RunRow & { concurrency_limit: number } => row.status === RunStatus.queued && row.concurrency_limit !== null;
    // One statement, in id order, like the scheduler's batches: lock orders never cross.
    await lockAutomationRows(tx, dialect, [...new Set(fresh.filter(limited).map((r) => r.automation_id))]);
    const cap = this.#ctx.config.limits.workspaceConcurrency;
    const wsActive = cap === null ? new Map<string, number>() : await lockWorkspacesAndCountActive(tx, dialect, [...new Set(fresh.filter((r) => r.status === RunStatus.queued).map((r) => r.workspace_id))]);
    for (const row of fresh) {
      const group = `${row.automation_id}\u0000${row.concurrency_key ?? ''}`;
      if (limited(row)) {
        const active = (await countActiveRuns(tx, row.automation_id, row.concurrency_key, [])) + (batchCounts.get(group) ?? 0);
        if (active >= row.concurrency_limit) {
          await deferClaim(tx, row.id, now + CONCURRENCY_RECHECK_MS);
          continue;
        }
      }
      const capped = cap !== null && row.status === RunStatus.queued;
      if (capped && (wsActive.get(row.workspace_id) ?? 0) >= cap) {
        // claimable again when one of the workspace's runs ends (run-flush wakes them)
        await deferClaim(tx, row.id, now + CONCURRENCY_RECHECK_MS);
        continue;
      }
      if (limited(row)) batchCounts.set(group, (batchCounts.get(group) ?? 0) + 1);
      if (capped) wsActive.set(row.workspace_id, (wsActive.get(row.workspace_id) ?? 0) + 1);
      taken.push(row);
    }
    return taken;
  }

  async #claim(limit: number): Promise<{ run: RunRow; executor: RunExecutor }[]> {
    const { db, dialect } = this.#ctx.store;
    const now = this.#ctx.clock.now();
    let before: RunRow[] = [];
    const starts = new Map<string, SegmentStart>();
    const claimed = await db.transaction().execute(async (tx) => {
      const rows = await selectClaimable(tx, dialect, now, limit);
      before = await this.#admit(tx, rows, now);
      return this.#takeAll(tx, before, now, starts);
    });
    if (claimed.length === 0) return [];
    this.#observeClaims(before, new Set(claimed.map((r) => r.id)), now);
    // One read of all claimed runs' steps rather than one per run.
    const stepRows = await stepsOfRuns(db, claimed.map((r) => r.id));
    const stepsByRun = new Map<string, typeof stepRows>();
    for (const step of stepRows) {
      const list = stepsByRun.get(step.run_id);
      if (list) list.push(step);
      else stepsByRun.set(step.run_id, [step]);
    }
    const out: { run: RunRow; executor: RunExecutor }[] = [];
    for (const run of claimed) {
      const { plan } = await this.#ctx.plans.get(db, run.automation_id, run.version);
      out.push({ run, executor: new RunExecutor(this.#ctx, run, plan, stepsByRun.get(run.id) ?? [], starts.get(run.id)) });
    }
    return out;
  }

  /**
   * Moves the selected runs to `running` under this node's lease, one UPDATE for the batch, and
   * logs why each was claimed (started, resumed after a wait, or taken over from a lost lease).
   */
  async #takeAll(tx: Conn, rows: RunRow[], now: number, starts: Map<string, SegmentStart>): Promise<RunRow[]> {
    if (rows.length === 0) return [];
    const nodeId = this.#ctx.config.nodeId;
    const updated = await claimRuns(tx, rows.map((r) => r.id), nodeId, now + this.#ctx.config.worker.leaseMs, now);
    const previous = new Map(rows.map((r) => [r.id, r]));
    const events = updated.map((row) => {
      const before = previous.get(row.id)!;
      const type = before.status === RunStatus.queued ? RunEventType.run_started : before.status === RunStatus.waiting ? RunEventType.run_resumed : RunEventType.run_lease_taken_over;
      const data = before.status === RunStatus.running ? { node: nodeId, previous_owner: before.lease_owner } : { node: nodeId };
      starts.set(row.id, type);
      return {
        run_id: row.id,
        seq: Number(row.event_seq),
        type,
        step_id: null,
        data: JSON.stringify(data),
        idempotency_key: type === RunEventType.run_started ? type : `${type}:${this.#ctx.ids()}`,
        created_at: now,
      };
    });
    await insertClaimEvents(tx, events);
    return updated;
  }

  /** After the claim committed: first starts (queue delay) and takeovers of expired leases. */
  #observeClaims(rows: RunRow[], claimed: Set<string>, now: number): void {
    const { telemetry } = this.#ctx;
    for (const row of rows) {
      if (!claimed.has(row.id)) continue;
      if (row.status === RunStatus.queued) telemetry.runStarted({ runId: row.id, automation: row.automation_name, trigger: row.trigger_kind, queuedMs: now - row.queued_at });
      else if (row.status === RunStatus.running) telemetry.leaseTakenOver({ runId: row.id, automation: row.automation_name, previousOwner: row.lease_owner });
    }
  }

  #execute(run: RunRow, executor: RunExecutor): void {
    this.#active.set(run.id, executor);
    const drain = executor
      .drive()
      .catch((err) => this.#ctx.logger.error({ run_id: run.id, err: String(err), stack: (err as Error)?.stack }, 'run execution failed; the lease will expire and another claim resumes it'))
      .finally(() => {
        this.#active.delete(run.id);
        this.#drains.delete(drain);
        this.wake();
      });
    this.#drains.add(drain);
  }

  async #armDueTimer(): Promise<void> {
    const next = await nextClaimAt(this.#ctx.store.db);
    const { clock } = this.#ctx;
    clock.clearTimer(this.#dueTimer);
    this.#dueTimer = null;
    if (next === null) return;
    const delay = next - clock.now();
    if (delay < this.#ctx.config.worker.pollMs) this.#dueTimer = clock.setTimer(Math.max(1, delay + 1), () => this.wake());
  }

  async #heartbeat(): Promise<void> {
    if (this.#active.size === 0) return;
    try {
      const until = this.#ctx.clock.now() + this.#ctx.config.worker.leaseMs;
      const canceled = await renewLeases(this.#ctx.store.db, this.#ctx.config.nodeId, [...this.#active.keys()], until);
      for (const id of canceled) this.#active.get(id)?.stop(AbortReason.cancel);
    } catch (err) {
      this.#ctx.logger.warn({ err: String(err) }, 'lease heartbeat failed');
    }
  }
}
