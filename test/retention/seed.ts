/**
 * Terminal runs written straight into the store (no execution), with a row in every table keyed
 * by run id, so retention tests set exact end times and count what a prune leaves.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../../src/store/connect.js';
import { insertRuns, type RunInsert } from '../../src/store/run-insert.js';
import { RUN_TABLES } from '../../src/store/retention.js';
import type { RunStatus } from '../../src/states.js';
import { makeNode, uniqueName, type TestDatabase, type TestNode } from '../support/node.js';
import { FakeClock } from '../support/fake-clock.js';
import { internalsOf } from '../../src/testing/index.js';

export const NOW = Date.parse('2030-06-15T12:00:00Z');

/** A node on a fake clock at NOW that executes nothing and sweeps only when told (batches of 7, no pause). */

export interface SeedRun {
  status: RunStatus;
  endedAt: number | null;
  pinned?: boolean;
  parent?: string;
  /** bytes of output per step (the SQLite shrink test wants sizable rows) */
  outputBytes?: number;
  /** also write approvals, event waits, delegations, agent calls and artifacts */
  extras?: boolean;
  steps?: number;
}

let n = 0;
export function runId(): string {
  return `r${Date.now().toString(36)}${(n++).toString(36).padStart(5, '0')}${randomBytes(3).toString('hex')}`;
}

export function runInsert(automation: { id: string; workspace_id: string; name: string }, spec: SeedRun, id = runId()): RunInsert {
  const at = spec.endedAt ?? Date.now();
  const output = spec.outputBytes ? JSON.stringify({ blob: 'x'.repeat(spec.outputBytes) }) : '{"ok":true}';
  const steps = Array.from({ length: spec.steps ?? 2 }, (_, i) => ({
    run_id: id, step_id: `s${i}`, idx: i, status: spec.endedAt === null ? 'pending' as const : 'succeeded' as const, attempt: 1,
    started_at: at - 10, ended_at: spec.endedAt, input: '{}', output, cost_usd: 0,
  }));
  return {
    run: {
      id, workspace_id: automation.workspace_id, automation_id: automation.id, automation_name: automation.name, version: 1,
      trigger_id: 'manual', trigger_kind: 'manual', activation: '{}', inputs: '{}', status: spec.status, attempt: 1,
      queued_at: at - 20, started_at: at - 15, ended_at: spec.endedAt, output, cost_usd: 0, tokens: 0, parent_run_id: spec.parent ?? null,
      timeout_ms: 600_000, event_seq: 2, cancel_requested: 0, pinned: spec.pinned ? 1 : 0, updated_at: at, depth: spec.parent ? 1 : 0,
      claim_at: spec.endedAt === null ? at + 3_600_000 : null,
    },
    steps,
    events: [
      { run_id: id, seq: 1, type: 'run.queued', step_id: null, data: null, idempotency_key: `q:${id}`, created_at: at - 20 },
      { run_id: id, seq: 2, type: 'run.started', step_id: null, data: null, idempotency_key: `s:${id}`, created_at: at - 15 },
    ],
  };
}

/** Inserts the runs; with `extras`, one row in each of the other run tables per run. */
export async function seedRuns(store: Store, automation: { id: string; workspace_id: string; name: string }, specs: SeedRun[]): Promise<string[]> {
  const items = specs.map((s) => runInsert(automation, s));
  await store.db.transaction().execute(async (tx) => {
    for (let i = 0; i < items.length; i += 500) await insertRuns(tx, store.dialect, items.slice(i, i + 500));
    for (const [k, item] of items.entries()) {
      if (!specs[k]!.extras) continue;
      const id = item.run.id as string;
      const ws = automation.workspace_id;
      const at = Number(item.run.queued_at);
      await tx.insertInto('approvals').values({ id: `ap-${id}`, workspace_id: ws, run_id: id, step_id: 's0', key: 'approval', kind: 'step', message: 'ok?', min_approvals: 1, state: 'approved', outcome: 'approved', decisions: '[]', on_timeout: 'reject', created_at: at }).execute();
      await tx.insertInto('event_waits').values({ run_id: id, step_id: 's1', workspace_id: ws, name: 'x', state: 'matched', created_at: at }).execute();
      await tx.insertInto('delegations').values({ id: `dl-${id}`, workspace_id: ws, run_id: id, step_id: 's0', url: 'http://127.0.0.1/', token_hash: 'h', state: 'succeeded', created_at: at }).execute();
      await tx.insertInto('agent_calls').values({ run_id: id, step_id: 's0', seq: 1, position: 0, kind: 'model', name: 'p:m', request_hash: 'h', status: 'ok', input_tokens: 1, output_tokens: 1, cached_tokens: 0, cost_usd: 0, latency_ms: 1, workspace_id: ws, automation_id: automation.id, created_at: at }).execute();
      await tx.insertInto('artifacts').values({ id: `ar-${id}`, run_id: id, step_id: 's0', position: 0, kind: 'json', valid: 1, sha256: 'h', size_bytes: 2, content: '{}', created_at: at }).execute();
    }
  });
  return items.map((i) => i.run.id as string);
}

/** Rows of the runs in every run table (runs included). */
export async function rowsOf(store: Store, ids: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const count = async (table: string, column: string) => {
    const row = await store.db.selectFrom(table as 'runs').select((eb) => eb.fn.countAll<number>().as('n')).where(column as 'id', 'in', ids).executeTakeFirstOrThrow();
    return Number(row.n);
  };
  out.runs = ids.length === 0 ? 0 : await count('runs', 'id');
  for (const table of RUN_TABLES) out[table] = ids.length === 0 ? 0 : await count(table, 'run_id');
  return out;
}

export async function retentionNode(db: TestDatabase, retention: Record<string, unknown> = {}, clock = new FakeClock(NOW)) {
  const node = await makeNode(db, { clock, start: false, config: { retention: { enabled: false, batchPause: 0, batchSize: 7, ...retention } } });
  return { node, clock, sweeper: internalsOf(node.rota).sweeper, store: internalsOf(node.rota).store };
}

export async function automationOf(node: TestNode, retention?: Record<string, unknown>) {
  const name = uniqueName('ret');
  await node.apply({ name, ...(retention ? { execution: { retention } } : {}), steps: [{ id: 'a', action: 'set', with: { x: 1 } }] });
  const view = await node.rota.automations.get(node.ws, name);
  return { id: view.id, workspace_id: node.ws, name };
}

