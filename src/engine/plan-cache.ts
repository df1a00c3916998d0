import type { Conn } from '../store/connect.js';
import { getVersion } from '../store/automations.js';
import { compileDefinition } from '../definition/parse.js';
import type { Definition, Plan } from '../definition/types.js';
import type { ActionRegistry } from '../actions/registry.js';
import { NotFoundError } from '../errors.js';

/**
 * Compiled plans by automation version. Versions are immutable, so entries never go stale; the
 * cache is bounded only to keep memory flat with many automations.
 */
export class PlanCache {
  readonly #plans = new Map<string, { definition: Definition; plan: Plan }>();
  // 1,000 entries thrashed with 10,000 scheduled automations: every fire recompiled its definition
  // (~0.3 ms of ~0.65 ms per fire on SQLite). A compiled plan takes a few KB.
  constructor(private readonly actions: ActionRegistry, private readonly max = 20_000) {}

  async get(conn: Conn, automationId: string, version: number): Promise<{ definition: Definition; plan: Plan }> {
    const key = `${automationId}:${version}`;
    const hit = this.#plans.get(key);
    if (hit) return hit;
    const row = await getVersion(conn, automationId, version);
    if (!row) throw new NotFoundError(`version ${version} of automation ${automationId} not found`);
    const compiled = compileDefinition(JSON.parse(row.definition), (type) => this.actions.get(type));
    this.put(automationId, version, compiled);
    return compiled;
  }

  put(automationId: string, version: number, compiled: { definition: Definition; plan: Plan }): void {
    if (this.#plans.size >= this.max) this.#plans.delete(this.#plans.keys().next().value as string);
    this.#plans.set(`${automationId}:${version}`, compiled);
  }
}
