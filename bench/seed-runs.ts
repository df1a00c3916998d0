/**
 * Seeds a run history for the explorer benchmarks (web-runs.ts, web.ts): `count` runs of 5
 * automations, 3 triggers and every status (10% failed, with error texts), queued over the 30 days
 * before `now`, inserted straight through the store's batch insert (not executed).
 */
import type { Rota } from '../src/node/rota.js';
import { createUlidGenerator } from '../src/ids.js';
import { RunStatus } from '../src/states.js';
import { insertRuns, type RunInsert } from '../src/store/run-insert.js';
import { internalsOf } from '../src/testing/index.js';

const DAY = 86_400_000;
export const AUTOMATIONS = ['ingest', 'nightly-report', 'triage', 'sync-crm', 'notify'];
export const TRIGGERS = ['manual', 'nightly', 'hook'];
const ERRORS = [
  { code: 'http_error', message: 'GET https://api.example.com/orders answered 503 Service Unavailable' },
  { code: 'step_timeout', message: 'step fetch timed out after 30s' },
  { code: 'shell_failed', message: 'sh exited with code 1: quota exceeded for tenant acme' },
];
/** The spread of statuses: mostly succeeded, 10% failed. */
function statusOf(i: number, count: number): RunStatus {
  const k = i % 100;
  if (k < 10) return RunStatus.failed;
  if (k < 12) return RunStatus.canceled;
  if (k < 13) return RunStatus.timed_out;
  if (k < 14) return RunStatus.skipped;
  if (k === 14 && i > count - 2_000) return RunStatus.queued;
  return RunStatus.succeeded;
}

/** Applies the automations and inserts the runs; resolves with the seconds it took. */
export async function seedRuns(rota: Rota, ws: string, count: number, now: number): Promise<number> {
  const automations = new Map<string, string>();
  for (const name of AUTOMATIONS) automations.set(name, (await rota.automations.apply(ws, { name, steps: [{ id: 'fetch', action: 'set', with: { v: 1 } }] })).automation.id);
  const { store } = internalsOf(rota);
  const t0 = performance.now();
  const start = now - 30 * DAY;
  let clock = start;
  const ids = createUlidGenerator(() => clock);
  for (let i = 0; i < count; i += 2_000) {
    const items: RunInsert[] = [];
    for (let k = i; k < Math.min(i + 2_000, count); k++) {
      clock = start + Math.floor((k / count) * 30 * DAY);
      const name = AUTOMATIONS[k % AUTOMATIONS.length]!;
      const status = statusOf(k, count);
      const failed = status === RunStatus.failed || status === RunStatus.timed_out;
      const ended = status === RunStatus.queued ? null : clock + 1_200;
      items.push({
        run: {
          id: ids(), workspace_id: ws, automation_id: automations.get(name)!, automation_name: name, version: 1,
          trigger_id: TRIGGERS[Math.floor(k / 7) % TRIGGERS.length]!, trigger_kind: 'manual', activation: '{}', inputs: `{"n":${k}}`,
          status, attempt: 1, queued_at: clock, started_at: clock + 10, ended_at: ended, output: failed ? null : '{"ok":true}',
          error: failed ? JSON.stringify({ ...ERRORS[k % ERRORS.length], step_id: 'fetch' }) : null,
          cost_usd: 0, tokens: 0, timeout_ms: 600_000, event_seq: 2, cancel_requested: 0, pinned: 0, updated_at: clock, depth: 0,
          claim_at: null,
        },
        steps: [],
        events: [],
      });
    }
    await store.db.transaction().execute(async (tx) => {
      for (let k = 0; k < items.length; k += 500) await insertRuns(tx, store.dialect, items.slice(k, k + 500));
    });
  }
  return (performance.now() - t0) / 1000;
}

