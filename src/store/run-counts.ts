/**
 * Open runs by status and `waiting_for`, for the metrics' gauges: one grouped count over the
 * partial index `runs_open_status` (migration 009), which holds only queued and waiting runs.
 */
import { sql } from 'kysely';
import { RunStatus, type WaitingFor } from '../states.js';
import type { Conn } from './connect.js';

export interface OpenRunCounts {
  queued: number;
  waiting: Map<WaitingFor | null, number>;
}

export async function countOpenRuns(conn: Conn): Promise<OpenRunCounts> {
  const rows = await conn
    .selectFrom('runs')
    .select(['status', 'waiting_for', (eb) => eb.fn.countAll<number>().as('n')])
    // literals, not parameters: SQLite uses a partial index only when the query's terms match it
    .where(sql<boolean>`status in ('queued', 'waiting')`)
    .groupBy(['status', 'waiting_for'])
    .execute();
  const out: OpenRunCounts = { queued: 0, waiting: new Map() };
  for (const r of rows) {
    if (r.status === RunStatus.queued) out.queued += Number(r.n);
    else out.waiting.set(r.waiting_for, (out.waiting.get(r.waiting_for) ?? 0) + Number(r.n));
  }
  return out;
}
