/**
 * `createTestRota`: a real Rota node for a user's own test suite — a temp SQLite database removed
 * on `stop()`, a fake clock that moves only when the test moves it, and, when asked, a scripted
 * LLM stand-in configured as the `default` model. The pattern of `@inngest/test`, on the real
 * engine: what passes here passes in `rota serve`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeepPartial, RotaConfig } from '../config/types.js';
import type { ActionDefinition } from '../actions/types.js';
import type { ToolDefinition } from '../agent/tool.js';
import { createRota, type Rota } from '../node/rota.js';
import { internalsOf } from '../node/internals.js';
import type { ApplyResult, EventView, RunView } from '../node/views.js';
import { earliestScheduleDue } from '../store/schedules.js';
import { isTerminalRun, RunStatus, TriggerKind } from '../states.js';
import { FakeClock } from './fake-clock.js';
import { nextWakeAt, settle } from './settle.js';
import { startLlmStandIn, type LlmScript, type LlmStandIn } from './llm-stand-in.js';

export interface CreateTestRotaOptions {
  /**
   * The node's clock (default: a `FakeClock` at the current time). Time moves only by
   * `t.advance(ms)`: schedules, sleeps, retry delays and timeouts wait for it.
   */
  clock?: FakeClock;
  /**
   * Start a scripted LLM stand-in and configure it as provider `test` with the model alias
   * `default` (`model: default` in an agent step). The replies are used in order; re-script with
   * `t.llm.script([...])`. Calls are recorded in `t.llm.calls`.
   */
  llm?: LlmScript;
  /**
   * Configuration over the test defaults (temp data dir, silent logs, no retention sweeper, a
   * one-hour worker fallback poll; the scheduler loop is off: `advance` fires schedules).
   */
  config?: DeepPartial<RotaConfig>;
  /** Custom actions, as `createRota` takes them. */
  actions?: ActionDefinition<any, any>[];
  /** Code-registered tools for agent steps, as `createRota` takes them. */
  tools?: ToolDefinition[];
}

export interface TestRota {
  /** the node itself: every `Rota` service (`rota.runs`, `rota.approvals`, ...) */
  readonly rota: Rota;
  /** id of the workspace the helpers act in (`default`) */
  readonly workspaceId: string;
  readonly clock: FakeClock;
  /** the scripted model, when `llm` was given */
  readonly llm: LlmStandIn | null;
  /** the admin token of the node's database (for `serveRota` + `rota/client` tests) */
  readonly adminToken: string;
  /** Creates or updates an automation; throws `DefinitionError` with every problem when invalid. */
  apply(definition: unknown): Promise<ApplyResult>;
  /** Starts a run through the manual trigger and returns it at once (usually `queued`). */
  start(automation: string, inputs?: Record<string, unknown>): Promise<RunView>;
  /** Starts a run and waits until it ends (see {@link waitForRun}). */
  run(automation: string, inputs?: Record<string, unknown>, opts?: WaitOptions): Promise<RunView>;
  /**
   * Waits (real time, default 10 s) until the run is terminal, or `waiting` with `untilWaiting`,
   * and returns it with its steps. A run that sleeps needs `advance` first: the wait does not
   * move the clock. Throws with the run's state when it does not get there in time.
   */
  waitForRun(runId: string, opts?: WaitOptions): Promise<RunView>;
  /**
   * Moves the clock forward by `ms`, firing every schedule slot on the way at its own time (each
   * exactly once, as a serving node would) and every timer (sleeps, retries, timeouts) in order.
   * Returns the runs the schedules started, oldest first.
   */
  advance(ms: number): Promise<RunView[]>;
  /** Publishes an event into the workspace (event triggers, `wait_for_event` steps). */
  emit(name: string, data?: unknown): Promise<EventView>;
  /** The runs of one automation, oldest first. */
  runsOf(automation: string): Promise<RunView[]>;
  /** Stops the node and the stand-in and deletes the temp database. Safe to call twice. */
  stop(): Promise<void>;
}

export interface WaitOptions {
  /** real-time limit, default 10 000 ms */
  timeoutMs?: number;
  /** resolve when the run waits (an approval, an event) as well as when it ends */
  untilWaiting?: boolean;
}

/**
 * Creates a started test node.
 *
 * @example
 * import { test } from 'node:test';
 * import assert from 'node:assert/strict';
 * import { createTestRota } from 'rota/testing';
 *
 * test('the nightly report runs at 02:00', async (t) => {
 *   const rota = await createTestRota({ clock: new FakeClock('2030-01-01T00:00:00Z') });
 *   t.after(() => rota.stop());
 *   await rota.apply({ name: 'nightly', triggers: [{ id: 'n', type: 'schedule', cron: '0 2 * * *' }], steps: [...] });
 *   const [run] = await rota.advance(3 * 3600_000);
 *   assert.equal((await rota.waitForRun(run.id)).status, 'succeeded');
 * });
 */
export async function createTestRota(options: CreateTestRotaOptions = {}): Promise<TestRota> {
  const clock = options.clock ?? new FakeClock(Date.now());
  const dataDir = await mkdtemp(join(tmpdir(), 'rota-testing-'));
  let llm: LlmStandIn | null = null;
  let rota: Rota | null = null;
  try {
    if (options.llm !== undefined) {
      llm = await startLlmStandIn();
      llm.script(options.llm);
    }
    rota = await createRota({ config: testConfig(dataDir, llm, options.config), clock, actions: options.actions, tools: options.tools });
    const { adminToken } = await rota.bootstrap();
    const workspace = await rota.workspaces.ensure(rota.config.defaultWorkspace);
    await rota.start();
    return testRota(rota, workspace.id, adminToken!, clock, llm, dataDir);
  } catch (err) {
    await rota?.stop({ graceMs: 0 }).catch(() => undefined);
    await llm?.close();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
}

function testConfig(dataDir: string, llm: LlmStandIn | null, given: DeepPartial<RotaConfig> = {}): DeepPartial<RotaConfig> {
  return {
    logLevel: 'silent',
    ...given,
    dataDir,
    // the test drives schedules through advance(): a loop racing it would fire slots late
    scheduler: { enabled: false },
    // runs are woken in-process (and by due timers); a 1 s fallback poll would be 86,400 clock
    // steps per advanced day
    worker: { shutdownGraceMs: 0, pollMs: 3_600_000, ...given.worker },
    retention: { enabled: false, ...given.retention },
    ...(llm
      ? {
          providers: { test: { kind: 'openai_compatible', baseUrl: llm.openaiBaseUrl, apiKeyEnv: null, headers: {} }, ...given.providers },
          models: { default: { model: 'test:test-model', price: null }, ...given.models },
        }
      : {}),
  };
}

function testRota(rota: Rota, workspaceId: string, adminToken: string, clock: FakeClock, llm: LlmStandIn | null, dataDir: string): TestRota {
  let stopped = false;
  const waitForRun = async (runId: string, opts: WaitOptions = {}): Promise<RunView> => {
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    for (;;) {
      const run = await rota.runs.get(workspaceId, runId);
      if (isTerminalRun(run.status) || (opts.untilWaiting && run.status === RunStatus.waiting)) return run;
      if (Date.now() > deadline) {
        const steps = (run.steps ?? []).map((s) => `${s.id}: ${s.status}`).join(', ');
        throw new Error(`run ${runId} is still ${run.status} after ${opts.timeoutMs ?? 10_000} ms (steps: ${steps || 'none'}); a sleep, retry delay or timeout waits for advance()`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const runsOf = async (automation: string): Promise<RunView[]> => {
    const out: RunView[] = [];
    let cursor: string | null = null;
    do {
      const page = await rota.runs.list(workspaceId, { automation, limit: 200, cursor });
      out.push(...page.items);
      cursor = page.next_cursor;
    } while (cursor);
    return out.reverse();
  };
  return {
    rota,
    workspaceId,
    clock,
    llm,
    adminToken,
    apply: (definition) => rota.automations.apply(workspaceId, definition),
    start: async (automation, inputs = {}) => (await rota.runs.start(workspaceId, automation, { inputs })).run,
    run: async (automation, inputs = {}, opts) => waitForRun((await rota.runs.start(workspaceId, automation, { inputs })).run.id, opts),
    waitForRun,
    advance: (ms) => advance(rota, clock, workspaceId, ms),
    emit: (name, data) => rota.events.emit(workspaceId, { name, data }),
    runsOf,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await rota.stop({ graceMs: 0 });
      await llm?.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Steps the clock from slot to slot so that each fires at its own time, then to the target. */
async function advance(rota: Rota, clock: FakeClock, workspaceId: string, ms: number): Promise<RunView[]> {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance(ms): expected a duration of 0 ms or more, got ${ms}`);
  const { scheduler, store, worker } = internalsOf(rota);
  const settled = () => settle(store, clock.now(), () => worker.wake());
  const target = clock.now() + ms;
  const before = (await rota.runs.list(workspaceId, { limit: 1 })).items[0]?.id ?? '';
  await settled();
  // a due trigger that cannot advance (it failed and is quarantined) must not spin this loop
  let stuckAt = -Infinity;
  for (;;) {
    // the next moment work starts: a schedule slot, a run becoming claimable (a sleep or a wait
    // ending) or an in-process retry delay ending. The timers in between (heartbeats, polls, run
    // deadlines) fire in order on the way, with nothing executing that they could interrupt.
    const due = await earliestScheduleDue(store.db);
    const slot = due !== null && due > stuckAt ? due : null;
    const wake = await nextWakeAt(store, clock.now());
    const next = Math.min(slot ?? Infinity, wake ?? Infinity);
    if (next > target) break;
    await clock.set(Math.max(next, clock.now()));
    const advanced = slot !== null && slot <= clock.now() ? await scheduler.runDue() : null;
    if (advanced === 0) stuckAt = clock.now();
    await settled();
  }
  await clock.set(target);
  await scheduler.runDue();
  await settled();
  return (await runsAfter(rota, workspaceId, before)).filter((r) => r.trigger_kind === TriggerKind.schedule);
}

/** The runs created after the run `after` (ids are time-ordered), oldest first. */
async function runsAfter(rota: Rota, workspaceId: string, after: string): Promise<RunView[]> {
  const out: RunView[] = [];
  let cursor: string | null = null;
  do {
    const page = await rota.runs.list(workspaceId, { limit: 200, cursor });
    const newer = page.items.filter((r) => r.id > after);
    out.push(...newer);
    cursor = newer.length === page.items.length ? page.next_cursor : null;
  } while (cursor);
  return out.reverse();
}
