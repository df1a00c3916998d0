/**
 * Batched creation of runs that need no admission decision (manual, child, retry, replay and
 * trigger fires without overlap or fire-limit checks): three multi-row statements for a whole
 * commit batch instead of three per run.
 */
import type { Insertable } from 'kysely';
import type { Conn } from './connect.js';
import type { RunEventTable, RunTable, StepTable } from './schema.js';

export interface RunInsert {
  run: Insertable<RunTable>;
  steps: Insertable<StepTable>[];
  events: Insertable<RunEventTable>[];
}

const RUN_CHUNK = 100;
const ROW_CHUNK = 200;

/** Inserts runs whose idempotency key is free; returns, per item, whether it was inserted. */
export async function insertRuns(conn: Conn, items: RunInsert[]): Promise<boolean[]> {
  const inserted = new Set<string>();
  // One order on every node: concurrent batches inserting the same keys wait instead of deadlocking.
  const ordered = [...items].sort((a, b) => lockOrder(a).localeCompare(lockOrder(b)));
  for (let i = 0; i < ordered.length; i += RUN_CHUNK) {
    const rows = await conn
      .insertInto('runs')
      .values(ordered.slice(i, i + RUN_CHUNK).map((item) => item.run))
      .onConflict((oc) => oc.columns(['automation_id', 'idempotency_key']).doNothing())
      .returning('id')
      .execute();
    for (const r of rows) inserted.add(r.id);
  }
  const kept = items.filter((item) => inserted.has(item.run.id as string));
  const steps = kept.flatMap((item) => item.steps);
  const events = kept.flatMap((item) => item.events);
  for (let i = 0; i < steps.length; i += ROW_CHUNK) await conn.insertInto('steps').values(steps.slice(i, i + ROW_CHUNK)).execute();
  for (let i = 0; i < events.length; i += ROW_CHUNK) await conn.insertInto('run_events').values(events.slice(i, i + ROW_CHUNK)).execute();
  return items.map((item) => inserted.has(item.run.id as string));
}

function lockOrder(item: RunInsert): string {
  return `${item.run.automation_id}\u0000${item.run.idempotency_key ?? ''}`;
}
