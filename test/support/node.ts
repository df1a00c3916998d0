/**
 * The one way tests build Rota nodes: every suite runs the same tests against SQLite and PostgreSQL.
 *
 * - SQLite: a temp data dir per test file. Nodes of one file share ONE open store (one connection):
 *   two better-sqlite3 connections in one process can deadlock the event loop (a connection waiting
 *   on busy_timeout blocks synchronously while the other one's transaction needs the loop to
 *   commit). Nodes still have their own node id, worker, leases and notifier, which is what
 *   multi-node behaviour depends on; the crash test uses a second process with its own connection.
 * - PostgreSQL: a fresh schema `t_<random>` per test file, dropped after it; every node opens its
 *   own pool, like separate `rota serve` processes. Unreachable → the suite FAILS with a hint.
 *
 * @example
 * forEachDialect('runs', (db) => {
 *   test('a run succeeds', async (t) => {
 *     const node = await makeNode(db);
 *     await node.apply({ name: 'hello', steps: [{ id: 'a', action: 'set', with: { x: 1 } }] });
 *     const run = await node.runToEnd('hello');
 *   });
 * });
 */
import { after, afterEach, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createRota, type Rota } from '../../src/node/rota.js';
import type { DeepPartial, RotaConfig } from '../../src/config/types.js';
import type { Clock } from '../../src/clock.js';
import type { Logger } from '../../src/engine/logger.js';
import type { ActionDefinition } from '../../src/actions/types.js';
import type { ToolDefinition } from '../../src/agent/tool.js';
import { openStore, type Store } from '../../src/store/connect.js';
import type { RunEventView, RunView } from '../../src/node/views.js';
import { isTerminalRun } from '../../src/states.js';
import { Recorder, testActions } from '../engine/actions.js';
import { createPostgresSchema, POSTGRES_URL } from './postgres.js';

export { POSTGRES_URL };

export type Dialect = 'sqlite' | 'postgres';

/** Both by default; `ROTA_TEST_DIALECTS=sqlite` narrows a local run explicitly (never silently). */
export const DIALECTS: Dialect[] = (process.env.ROTA_TEST_DIALECTS ?? 'sqlite,postgres').split(',') as Dialect[];

/** One test file's database for one dialect. */
export class TestDatabase {
  dataDir = '';
  databaseUrl: string | null = null;
  /** SQLite only: the store every node of this file shares (see the constructor). */
  sharedStore: Store | null = null;
  readonly nodes = new Set<TestNode>();
  #dropSchema: (() => Promise<void>) | null = null;

  /**
   * `shareStore: false` (one node per database, e.g. behind an API server): the SQLite node opens
   * its own store as `rota serve` does, background checkpoints included.
   */
  constructor(readonly dialect: Dialect, private readonly options: { shareStore?: boolean } = {}) {}

  async open(): Promise<void> {
    this.dataDir = await mkdtemp(join(tmpdir(), `rota-test-${this.dialect}-`));
    if (this.dialect === 'sqlite') {
      if (this.options.shareStore !== false) this.sharedStore = await openStore({ dataDir: this.dataDir });
      return;
    }
    try {
      const schema = await createPostgresSchema();
      this.#dropSchema = schema.drop;
      this.databaseUrl = schema.url;
    } catch (err) {
      throw new Error(
        `PostgreSQL not reachable at ${POSTGRES_URL} (${(err as Error).message}); start it with ` +
          '`pg_ctlcluster <version> main start` (see `pg_lsclusters`), or point ROTA_TEST_POSTGRES_URL at a server',
      );
    }
  }

  async stopNodes(): Promise<void> {
    await Promise.all([...this.nodes].map((n) => n.stop(0)));
  }

  async close(): Promise<void> {
    await this.stopNodes();
    await this.sharedStore?.close();
    await this.#dropSchema?.();
    if (this.dataDir) await rm(this.dataDir, { recursive: true, force: true });
  }
}

/** Registers `fn`'s tests once per dialect, each in its own `describe` with its own database. */
export function forEachDialect(name: string, fn: (db: TestDatabase) => void): void {
  for (const dialect of DIALECTS) {
    describe(`${name} [${dialect}]`, () => {
      const db = new TestDatabase(dialect);
      before(() => db.open());
      // A test that failed half-way must not leave a node claiming runs in the next test.
      afterEach(() => db.stopNodes());
      after(() => db.close());
      fn(db);
    });
  }
}

export interface MakeNodeOptions {
  config?: DeepPartial<Omit<RotaConfig, 'worker'>> & { worker?: Partial<RotaConfig['worker']> };
  /** Share a recorder between nodes (takeover tests); a fresh one otherwise. */
  recorder?: Recorder;
  /** The actions to register instead of the test actions (engine/actions.ts). */
  actions?: ActionDefinition<any, any>[];
  tools?: ToolDefinition[];
  /** An injected clock (scheduler tests move it by hand). */
  clock?: Clock;
  /** Start the node (default true). */
  start?: boolean;
  /** The node's logger (default: pino at `logLevel`, silent in tests). */
  logger?: Logger;
}

/** A bootstrapped Rota node on the file's database. */
export class TestNode {
  #stopped = false;
  constructor(
    readonly rota: Rota,
    readonly ws: string,
    readonly recorder: Recorder,
    private readonly db: TestDatabase,
    /** The admin token bootstrap printed (null: the database was bootstrapped before). */
    readonly adminToken: string | null = null,
  ) {}

  async stop(graceMs = 0): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.db.nodes.delete(this);
    await this.rota.stop({ graceMs });
  }

  apply(definition: unknown, opts?: Parameters<Rota['automations']['apply']>[2]) {
    return this.rota.automations.apply(this.ws, definition, opts);
  }

  async start(name: string, inputs: Record<string, unknown> = {}, opts: { idempotencyKey?: string; version?: number } = {}): Promise<RunView> {
    return (await this.rota.runs.start(this.ws, name, { inputs, ...opts })).run;
  }

  get(runId: string): Promise<RunView> {
    return this.rota.runs.get(this.ws, runId);
  }

  /** Waits until the run is terminal; fails the test (with the run's state) if it is not by `ms`. */
  async waitEnd(runId: string, ms = 8_000): Promise<RunView> {
    const run = await this.rota.runs.wait(this.ws, runId, ms);
    assert.ok(isTerminalRun(run.status), `run ${runId} still ${run.status} after ${ms} ms: ${JSON.stringify(run.steps?.map((s) => [s.id, s.status]))}`);
    return run;
  }

  async runToEnd(name: string, inputs: Record<string, unknown> = {}, ms?: number): Promise<RunView> {
    const run = await this.start(name, inputs);
    return this.waitEnd(run.id, ms);
  }

  events(runId: string): Promise<RunEventView[]> {
    return this.rota.runs.events(this.ws, runId, { limit: 5000 });
  }
}

export async function makeNode(db: TestDatabase, options: MakeNodeOptions = {}): Promise<TestNode> {
  const recorder = options.recorder ?? new Recorder();
  const config: DeepPartial<RotaConfig> = {
    nodeId: `node-${randomBytes(3).toString('hex')}`,
    dataDir: db.dataDir,
    databaseUrl: db.databaseUrl,
    logLevel: 'silent',
    ...options.config,
    worker: { concurrency: 10, leaseMs: 10_000, pollMs: 50, shutdownGraceMs: 0, enabled: true, ...options.config?.worker },
  };
  const rota = await createRota({
    config,
    clock: options.clock,
    logger: options.logger,
    actions: options.actions ?? testActions(recorder),
    tools: options.tools,
    store: db.sharedStore ?? undefined,
  });
  const { adminToken } = await rota.bootstrap();
  const ws = await rota.workspaces.ensure(rota.config.defaultWorkspace);
  const node = new TestNode(rota, ws.id, recorder, db, adminToken);
  db.nodes.add(node);
  if (options.start !== false) await rota.start();
  return node;
}

/** A name unique within the file's database. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

/** Polls `check` every 10 ms until it returns something other than undefined, or throws after `ms`. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, ms = 5_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function stepOf(run: RunView, id: string) {
  const step = run.steps?.find((s) => s.id === id);
  assert.ok(step, `run ${run.id} has no step ${id}`);
  return step;
}
