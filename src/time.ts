/** Timestamps: stored as epoch milliseconds, shown (API, CLI, logs) as ISO 8601 strings. */
export function iso(ms: number): string;
export function iso(ms: number | null | undefined): string | null;
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString();
}
