/**
 * Scheduler tests on the engine harness's databases, with an injected clock: the scheduler loop
 * is not started; tests move the clock and call `scheduler.runDue()` themselves, so every
 * decision is exact and nothing waits on real time.
 */
import { randomBytes } from 'node:crypto';
import { createRota } from '../../src/node/rota.js';
import type { RotaConfig } from '../../src/config/types.js';
import type { RunView } from '../../src/node/views.js';
import { TestNode, type TestDatabase } from '../engine/harness.js';
import { Recorder, testActions } from '../engine/actions.js';
import type { FakeClock } from '../support/fake-clock.js';

export const MIN = 60_000;

/** A node on the file's database with the given clock; its worker runs only when asked. */
export async function clockNode(db: TestDatabase, clock: FakeClock, opts: { worker?: boolean; recorder?: Recorder } = {}): Promise<TestNode> {
  const recorder = opts.recorder ?? new Recorder();
  const config: Partial<RotaConfig> = {
    nodeId: `node-${randomBytes(3).toString('hex')}`,
    dataDir: db.dataDir,
    databaseUrl: db.databaseUrl,
    logLevel: 'silent',
    worker: { concurrency: 10, leaseMs: 10_000, pollMs: 50, shutdownGraceMs: 0, enabled: opts.worker ?? false },
    scheduler: { enabled: false },
  };
  const rota = await createRota({ config, clock, actions: testActions(recorder), store: db.sharedStore ?? undefined });
  await rota.bootstrap();
  const ws = await rota.workspaces.ensure(rota.config.defaultWorkspace);
  const node = new TestNode(rota, ws.id, recorder, db);
  db.nodes.add(node);
  await rota.start();
  return node;
}

/** Every run of an automation, oldest first. */
export async function runsOf(node: TestNode, automation: string): Promise<RunView[]> {
  const out: RunView[] = [];
  let cursor: string | null = null;
  do {
    const page = await node.rota.runs.list(node.ws, { automation, limit: 200, cursor });
    out.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return out.reverse();
}

export function slotOf(run: RunView): string {
  return (run.activation as { data: { slot: string } }).data.slot;
}

export function scheduled(name: string, trigger: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { name, triggers: [{ id: 'tick', type: 'schedule', ...trigger }], steps: [{ id: 'a', action: 'probe', with: {} }], ...extra };
}
