/**
 * Scheduler tests on the shared harness's databases (support/node.ts), with an injected clock: the
 * scheduler loop is not started; tests move the clock and call `scheduler.runDue()` themselves, so
 * every decision is exact and nothing waits on real time.
 */
import type { RunView } from '../../src/node/views.js';
import { makeNode, type TestDatabase, type TestNode } from '../support/node.js';
import type { Recorder } from '../engine/actions.js';
import type { FakeClock } from '../support/fake-clock.js';

export const MIN = 60_000;

/** A node on the file's database with the given clock; its worker runs only when asked. */
export function clockNode(db: TestDatabase, clock: FakeClock, opts: { worker?: boolean; recorder?: Recorder } = {}): Promise<TestNode> {
  return makeNode(db, { clock, recorder: opts.recorder, config: { worker: { enabled: opts.worker ?? false }, scheduler: { enabled: false } } });
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
