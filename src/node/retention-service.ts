/** Retention as the interfaces see it: the prune preview and a prune now, over the node's sweeper. */
import { formatDuration } from '../definition/duration.js';
import { NotFoundError } from '../errors.js';
import type { RetentionSweeper } from '../engine/retention-sweeper.js';
import { findAutomation } from '../store/automations.js';
import type { Store } from '../store/connect.js';
import type { PruneResult, RetentionPreview } from './views.js';

export class RetentionService {
  constructor(private readonly store: Store, private readonly sweeper: RetentionSweeper) {}

  async #filter(workspaceId: string, automation: string | undefined) {
    if (automation !== undefined && !(await findAutomation(this.store.db, workspaceId, automation))) throw new NotFoundError(`automation "${automation}" not found`);
    return { workspaceId, ...(automation !== undefined ? { name: automation } : {}) };
  }

  async preview(workspaceId: string, automation?: string): Promise<RetentionPreview> {
    const entries = await this.sweeper.preview(await this.#filter(workspaceId, automation));
    const automations = entries.map((e) => ({
      automation: e.automation,
      policy: { max_age: formatDuration(e.policy.max_age_ms), max_runs: e.policy.max_runs, keep_failed: e.policy.keep_failed_ms === null ? null : formatDuration(e.policy.keep_failed_ms) },
      prunable: e.prunable,
      held: e.held,
    }));
    return {
      automations,
      totals: {
        prunable: automations.reduce((n, a) => n + a.prunable.total, 0),
        held: automations.reduce((n, a) => n + a.held.pinned + a.held.children, 0),
      },
    };
  }

  async prune(workspaceId: string, automation?: string): Promise<PruneResult> {
    const result = await this.sweeper.sweep(await this.#filter(workspaceId, automation));
    const { age, count, keep_failed } = result.runs;
    return { runs: { age, count, keep_failed, total: age + count + keep_failed }, rows: result.rows, duration_ms: Math.round(result.durationMs), swept: result.swept };
  }
}
