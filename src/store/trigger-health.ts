/** Trigger health columns (migration 006): consecutive failed fires, the last error and when. */
import { sql } from 'kysely';
import type { Conn } from './connect.js';
import type { Dialect } from './dialect.js';

export interface HealthChange {
  automationId: string;
  triggerId: string;
  /** failed fires to add; 0 records a good fire (the count goes back to 0) */
  failures: number;
  /** `code: message` of the last failure (with failures > 0) */
  lastError: string | null;
}

/** One statement for any number of triggers (each at most once in `changes`). */
export async function recordTriggerHealth(conn: Conn, dialect: Dialect, changes: HealthChange[], now: number): Promise<void> {
  if (changes.length === 0) return;
  const rows = changes.map((c) => ({ a: c.automationId, t: c.triggerId, n: c.failures, e: c.lastError }));
  const source =
    dialect === 'postgres'
      ? sql`json_to_recordset(${JSON.stringify(rows)}) AS v(a text, t text, n integer, e text)`
      : sql`(SELECT column1 AS a, column2 AS t, column3 AS n, column4 AS e FROM (VALUES ${sql.join(rows.map((r) => sql`(${r.a}, ${r.t}, ${r.n}, ${r.e})`))})) AS v`;
  await sql`
    UPDATE triggers SET
      failure_count = CASE WHEN v.n > 0 THEN triggers.failure_count + v.n ELSE 0 END,
      last_failure = CASE WHEN v.n > 0 THEN v.e ELSE triggers.last_failure END,
      last_failure_at = CASE WHEN v.n > 0 THEN ${now} ELSE triggers.last_failure_at END
    FROM ${source}
    WHERE triggers.automation_id = v.a AND triggers.trigger_id = v.t`.execute(conn);
}

/** `automation_id \0 trigger_id` of every trigger whose last fire failed. */
export async function failingTriggers(conn: Conn): Promise<Set<string>> {
  const rows = await conn.selectFrom('triggers').select(['automation_id', 'trigger_id']).where('failure_count', '>', 0).execute();
  return new Set(rows.map((r) => `${r.automation_id}\u0000${r.trigger_id}`));
}
