/**
 * The event triggers of each workspace, indexed by name: exact names in a map, wildcard patterns
 * in a short list. Matching an event costs one primary-key read (the workspace's trigger
 * generation, bumped after every definition change on any node) instead of a scan of every
 * automation; the index is rebuilt only when the generation moved.
 */
import type { Conn } from '../store/connect.js';
import { getTriggerGeneration, listEventTriggers } from '../store/event-triggers.js';
import type { EventTriggerDef } from '../definition/types.js';
import { compilePattern, matchesPattern, type EventPattern } from '../definition/event-pattern.js';

export interface IndexedTrigger {
  automationId: string;
  automationName: string;
  trigger: EventTriggerDef;
}

interface WorkspaceIndex {
  generation: number;
  checkedAt: number;
  exact: Map<string, IndexedTrigger[]>;
  wildcard: { pattern: EventPattern; entry: IndexedTrigger }[];
}

export class EventTriggerIndex {
  readonly #workspaces = new Map<string, WorkspaceIndex>();
  readonly #loading = new Map<string, Promise<WorkspaceIndex>>();

  constructor(private readonly conn: () => Conn, private readonly now: () => number) {}

  /**
   * Triggers whose name pattern matches `name`. `maxStaleMs` > 0 trusts an index checked that
   * recently without reading the generation (Rota's own events, published on every run end).
   */
  async match(workspaceId: string, name: string, maxStaleMs = 0): Promise<IndexedTrigger[]> {
    const index = await this.#index(workspaceId, maxStaleMs);
    const out = [...(index.exact.get(name) ?? [])];
    for (const { pattern, entry } of index.wildcard) if (matchesPattern(pattern, name)) out.push(entry);
    return out;
  }

  /** This node changed a definition: the next match re-reads the generation. */
  invalidate(workspaceId: string): void {
    const index = this.#workspaces.get(workspaceId);
    if (index) index.checkedAt = -Infinity;
  }

  async #index(workspaceId: string, maxStaleMs: number): Promise<WorkspaceIndex> {
    const cached = this.#workspaces.get(workspaceId);
    const now = this.now();
    if (cached && maxStaleMs > 0 && now - cached.checkedAt < maxStaleMs) return cached;
    const generation = await getTriggerGeneration(this.conn(), workspaceId);
    if (cached && cached.generation === generation) {
      cached.checkedAt = now;
      return cached;
    }
    const pending = this.#loading.get(workspaceId);
    if (pending) return pending;
    const load = this.#load(workspaceId, generation, now).finally(() => this.#loading.delete(workspaceId));
    this.#loading.set(workspaceId, load);
    return load;
  }

  async #load(workspaceId: string, generation: number, now: number): Promise<WorkspaceIndex> {
    const rows = await listEventTriggers(this.conn(), workspaceId);
    const index: WorkspaceIndex = { generation, checkedAt: now, exact: new Map(), wildcard: [] };
    for (const row of rows) {
      const trigger = JSON.parse(row.config) as EventTriggerDef;
      const entry = { automationId: row.automation_id, automationName: row.automation_name, trigger };
      const pattern = compilePattern(trigger.name);
      if (pattern.kind === 'exact') index.exact.set(pattern.name, [...(index.exact.get(pattern.name) ?? []), entry]);
      else index.wildcard.push({ pattern, entry });
    }
    this.#workspaces.set(workspaceId, index);
    return index;
  }
}
