/**
 * Schedule cursors on the `triggers` table. Due triggers are found with the `triggers_next_fire`
 * index: the scheduler asks for the earliest `next_fire_at` and sleeps until then, so an idle node
 * issues no query per schedule and none per second.
 */
import type { Updateable } from 'kysely';
import type { Conn } from './connect.js';
import type { Dialect } from './dialect.js';
import type { TriggerTable } from './schema.js';

export interface DueSchedule {
  automation_id: string;
  trigger_id: string;
  workspace_id: string;
  config: string;
  next_fire_at: number;
  state: string | null;
  misfire_count: number;
}

/** Enabled schedule triggers of active automations whose next fire is due at `now`. */
function dueQuery(conn: Conn, now: number) {
  return conn
    .selectFrom('triggers')
    .innerJoin('automations', 'automations.id', 'triggers.automation_id')
    .where('triggers.type', '=', 'schedule')
    .where('triggers.enabled', '=', 1)
    .where('triggers.next_fire_at', '<=', now)
    .where('automations.status', '=', 'active');
}

/**
 * Due triggers, earliest first. On PostgreSQL the trigger rows are locked with SKIP LOCKED: two
 * nodes never work on the same trigger at once, and neither waits for the other.
 */
export async function selectDueSchedules(conn: Conn, dialect: Dialect, now: number, limit: number): Promise<DueSchedule[]> {
  let q = dueQuery(conn, now)
    .select([
      'triggers.automation_id',
      'triggers.trigger_id',
      'automations.workspace_id',
      'triggers.config',
      'triggers.next_fire_at',
      'triggers.state',
      'triggers.misfire_count',
    ])
    .orderBy('triggers.next_fire_at')
    .limit(limit);
  if (dialect === 'postgres') q = q.forUpdate('triggers').skipLocked();
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, next_fire_at: Number(r.next_fire_at) }));
}

/** The earliest `next_fire_at` over enabled schedules of active automations, or null. */
export async function earliestScheduleDue(conn: Conn): Promise<number | null> {
  const row = await conn
    .selectFrom('triggers')
    .innerJoin('automations', 'automations.id', 'triggers.automation_id')
    .select((eb) => eb.fn.min('triggers.next_fire_at').as('next'))
    .where('triggers.type', '=', 'schedule')
    .where('triggers.enabled', '=', 1)
    .where('triggers.next_fire_at', 'is not', null)
    .where('automations.status', '=', 'active')
    .executeTakeFirst();
  return row?.next === null || row?.next === undefined ? null : Number(row.next);
}

/**
 * Advances one cursor, fenced on the `next_fire_at` the caller read: false when another writer
 * (a definition change, another node) moved it first, in which case the caller's fires roll back.
 */
export async function advanceCursor(
  conn: Conn,
  automationId: string,
  triggerId: string,
  expectedNext: number,
  patch: Updateable<TriggerTable>,
): Promise<boolean> {
  const res = await conn
    .updateTable('triggers')
    .set(patch)
    .where('automation_id', '=', automationId)
    .where('trigger_id', '=', triggerId)
    .where('next_fire_at', '=', expectedNext)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function getTrigger(conn: Conn, automationId: string, triggerId: string): Promise<TriggerTable | undefined> {
  return conn.selectFrom('triggers').selectAll().where('automation_id', '=', automationId).where('trigger_id', '=', triggerId).executeTakeFirst();
}

export async function updateTrigger(conn: Conn, automationId: string, triggerId: string, patch: Updateable<TriggerTable>): Promise<void> {
  await conn.updateTable('triggers').set(patch).where('automation_id', '=', automationId).where('trigger_id', '=', triggerId).execute();
}
