/** Keyset pagination, the one way lists are paged (API, CLI, MCP, UI): newest first, by cursor. */

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  total: number;
}

export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 200;

/** A requested page size clamped to `[1, max]` (default {@link PAGE_DEFAULT}). Fetch one more row than this. */
export function pageLimit(requested: number | undefined, max = PAGE_MAX): number {
  return Math.min(Math.max(Math.trunc(requested ?? PAGE_DEFAULT) || PAGE_DEFAULT, 1), max);
}

/**
 * The first `limit` of `rows` (fetched with `limit + 1`) and the cursor of the next page: the key
 * of the last row kept, or null when no row was left over.
 */
export function takePage<R>(rows: R[], limit: number, cursorOf: (row: R) => string): { rows: R[]; next_cursor: string | null } {
  const kept = rows.slice(0, limit);
  return { rows: kept, next_cursor: rows.length > limit ? cursorOf(kept[kept.length - 1]!) : null };
}
