/** Per-automation summaries for a page of the automations list (store/automation-stats.ts: four statements). */
import { RunStatus } from '../states.js';
import type { Store } from '../store/connect.js';
import { automationsByName, openRunCounts, recentEndedRuns, spendOnDay } from '../store/automation-stats.js';
import { iso } from '../time.js';
import type { AutomationStatsView } from './views.js';

export const STATS_MAX_NAMES = 100;
export const STATS_DEFAULT_RUNS = 20;
export const STATS_MAX_RUNS = 50;

/** Runs that count towards the success rate: what the automation's own work ended in. */
const RATED = new Set<string>([RunStatus.succeeded, RunStatus.failed, RunStatus.timed_out]);

/**
 * Stats of the named automations of the workspace, in the order asked; names the workspace does
 * not have are left out (a page of the list may name one deleted since).
 */
export async function automationStats(store: Store, workspaceId: string, names: string[], opts: { runs?: number; now: number }): Promise<AutomationStatsView[]> {
  const perAutomation = Math.min(Math.max(opts.runs ?? STATS_DEFAULT_RUNS, 1), STATS_MAX_RUNS);
  const found = await automationsByName(store.db, workspaceId, [...new Set(names)]);
  const ids = found.map((a) => a.id);
  const [ended, open, spend] = await Promise.all([recentEndedRuns(store.db, ids, perAutomation), openRunCounts(store.db, ids), spendOnDay(store.db, ids, opts.now)]);
  const byId = new Map<string, AutomationStatsView>();
  for (const a of found) byId.set(a.id, { name: a.name, recent: [], success_rate: null, open: { queued: 0, running: 0, waiting: 0 }, today: { cost_usd: 0, tokens: 0 } });
  for (const r of ended) byId.get(r.automation_id)?.recent.push({ id: r.id, status: r.status, ended_at: iso(r.ended_at) });
  for (const c of open) {
    const view = byId.get(c.automation_id);
    if (view && (c.status === RunStatus.queued || c.status === RunStatus.running || c.status === RunStatus.waiting)) view.open[c.status] += c.n;
  }
  for (const s of spend) {
    const view = byId.get(s.automation_id);
    if (view) view.today = { cost_usd: s.cost_usd, tokens: s.tokens };
  }
  for (const view of byId.values()) {
    // a UNION ALL keeps no order across its members: each automation's runs are sorted here
    view.recent.sort((a, b) => b.ended_at.localeCompare(a.ended_at) || b.id.localeCompare(a.id));
    const rated = view.recent.filter((r) => RATED.has(r.status));
    view.success_rate = rated.length === 0 ? null : rated.filter((r) => r.status === RunStatus.succeeded).length / rated.length;
  }
  const byName = new Map([...byId.values()].map((v) => [v.name, v]));
  return [...new Set(names)].flatMap((name) => byName.get(name) ?? []);
}
