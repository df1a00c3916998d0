/**
 * Schedule cursors on the `triggers` table. Due triggers are found with the `triggers_next_fire`
 * index: the scheduler asks for the earliest `next_fire_at` and sleeps until then, so an idle node
 * issues no query per schedule and none per second.
 */
import { sql, type Updateable } from 'kysely';
import type { Conn } from './connect.js';
import type { Dialect } from './dialect.js';
import type { TriggerTable } from './schema.js';
import type { AutomationRow } from './automations.js';

export interface DueSchedule {
  automation_id: string;
  trigger_id: string;
  workspace_id: string;
  config: string;
  next_fire_at: number;
  state: string | null;
  misfire_count: number;
  failure_count: number;
  /** the automation's row, read with the trigger (the fire path needs it: one query less per batch) */
  automation: AutomationRow;
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
 * Due triggers (`next_fire_at` in (`after`, `now`]), earliest first. On PostgreSQL the trigger rows are locked with SKIP LOCKED: two
 * nodes never work on the same trigger at once, and neither waits for the other.
 */
export async function selectDueSchedules(conn: Conn, dialect: Dialect, now: number, limit: number, after: number | null = null): Promise<DueSchedule[]> {
  let q = dueQuery(conn, now)
    .select([
      'triggers.automation_id',
      'triggers.trigger_id',
      'triggers.config',
      'triggers.next_fire_at',
      'triggers.state',
      'triggers.misfire_count',
      'triggers.failure_count',
      'automations.workspace_id',
      'automations.name',
      'automations.status',
      'automations.source',
      'automations.source_path',
      'automations.paused_overlay',
      'automations.latest_version',
      'automations.description',
      'automations.created_at',
      'automations.updated_at',
      'automations.consecutive_failures',
      'automations.paused_reason',
      'automations.paused_at',
    ])
    .orderBy('triggers.next_fire_at')
    .limit(limit);
  if (after !== null) q = q.where('triggers.next_fire_at', '>', after);
  if (dialect === 'postgres') q = q.forUpdate('triggers').skipLocked();
  const rows = await q.execute();
  return rows.map((r) => ({
    automation_id: r.automation_id,
    trigger_id: r.trigger_id,
    workspace_id: r.workspace_id,
    config: r.config,
    next_fire_at: Number(r.next_fire_at),
    state: r.state,
    misfire_count: r.misfire_count,
    failure_count: Number(r.failure_count),
    automation: {
      id: r.automation_id,
      workspace_id: r.workspace_id,
      name: r.name,
      status: r.status,
      source: r.source,
      source_path: r.source_path,
      paused_overlay: r.paused_overlay,
      latest_version: r.latest_version,
      description: r.description,
      created_at: r.created_at,
      updated_at: r.updated_at,
      consecutive_failures: r.consecutive_failures,
      paused_reason: r.paused_reason,
      paused_at: r.paused_at === null ? null : Number(r.paused_at),
    },
  }));
}

/**
 * Share-locks automations and returns those still active and not being changed: a pause or a
 * definition change that starts later waits for the caller's commit; one already under way (its
 * row locked) is skipped rather than waited for, so the caller never waits while holding trigger
 * rows that such a change may need next (PostgreSQL; SQLite has one writer anyway).
 */
export async function lockActiveAutomations(conn: Conn, dialect: Dialect, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  let q = conn.selectFrom('automations').select('id').where('id', 'in', ids).where('status', '=', 'active').orderBy('id');
  if (dialect === 'postgres') q = q.forShare().skipLocked();
  return new Set((await q.execute()).map((r) => r.id));
}

/**
 * The earliest `next_fire_at` over enabled schedules of active automations, or null. Ordered with
 * LIMIT 1 rather than MIN(): the index's first matching row answers it (MIN over the join read
 * every schedule).
 */
export async function earliestScheduleDue(conn: Conn): Promise<number | null> {
  const row = await conn
    .selectFrom('triggers')
    .innerJoin('automations', 'automations.id', 'triggers.automation_id')
    .select('triggers.next_fire_at')
    .where('triggers.type', '=', 'schedule')
    .where('triggers.enabled', '=', 1)
    .where('triggers.next_fire_at', 'is not', null)
    .where('automations.status', '=', 'active')
    .orderBy('triggers.next_fire_at')
    .limit(1)
    .executeTakeFirst();
  return row?.next_fire_at === null || row?.next_fire_at === undefined ? null : Number(row.next_fire_at);
}

/** A cursor move of one fire pass: where the cursor goes, and what the pass recorded. */
export interface CursorAdvance {
  automationId: string;
  triggerId: string;
  /** the `next_fire_at` the pass read: the move is fenced on it */
  expectedNext: number;
  next_fire_at: number | null;
  state: string | null;
  /** slot and fire id of the latest recorded fire, null when the pass fired none (kept as is) */
  last_fire_at: number | null;
  last_fire_id: string | null;
  /** late slots beyond grace in this pass (added to `misfire_count`) */
  late: number;
  /** 0 retires the trigger (a one-shot `at` whose slot was handled) */
  enabled: 0 | 1;
}

const CURSOR_CHUNK = 200;

/**
 * Advances the cursors of one fire pass in one statement per 200 triggers, each row fenced on the
 * `next_fire_at` the pass read. Returns how many moved: fewer than asked means another writer (a
 * definition change, another node) moved one first, and the caller rolls the pass back. PostgreSQL
 * takes the moves as one JSON parameter (a VALUES list of ~1,800 parameters cost ~3 ms to plan);
 * SQLite, where a statement costs no round trip, as VALUES.
 */
export async function advanceCursors(conn: Conn, dialect: Dialect, moves: CursorAdvance[], now: number): Promise<number> {
  let moved = 0;
  // A batch of 50 against 10,000 triggers: PostgreSQL's planner preferred a sequential scan and a
  // hash join (~3 ms) to 50 primary-key look-ups (~0.5 ms). Off for the rest of this transaction,
  // which only writes these rows and commits.
  if (dialect === 'postgres') await sql`SET LOCAL enable_seqscan = off`.execute(conn);
  for (let i = 0; i < moves.length; i += CURSOR_CHUNK) {
    const chunk = moves.slice(i, i + CURSOR_CHUNK);
    const source =
      dialect === 'postgres'
        ? sql`json_to_recordset(${JSON.stringify(chunk.map(moveRow))}) AS v(a text, t text, expected bigint, next bigint, state text, last_at bigint, last_id text, late integer, enabled integer)`
        : sql`(SELECT column1 AS a, column2 AS t, column3 AS expected, column4 AS next, column5 AS state, column6 AS last_at, column7 AS last_id, column8 AS late, column9 AS enabled FROM (VALUES ${sql.join(
            chunk.map((m) => sql`(${m.automationId}, ${m.triggerId}, ${m.expectedNext}, ${m.next_fire_at}, ${m.state}, ${m.last_fire_at}, ${m.last_fire_id}, ${m.late}, ${m.enabled})`),
          )})) AS v`;
    const { rows } = await sql<{ trigger_id: string }>`
      UPDATE triggers SET
        next_fire_at = v.next,
        state = v.state,
        last_fire_at = COALESCE(v.last_at, triggers.last_fire_at),
        last_fire_id = COALESCE(v.last_id, triggers.last_fire_id),
        misfire_count = triggers.misfire_count + v.late,
        last_misfire_at = CASE WHEN v.late > 0 THEN ${now} ELSE triggers.last_misfire_at END,
        enabled = v.enabled,
        updated_at = ${now}
      FROM ${source}
      WHERE triggers.automation_id = v.a AND triggers.trigger_id = v.t AND triggers.next_fire_at = v.expected
      RETURNING triggers.trigger_id`.execute(conn);
    moved += rows.length;
  }
  return moved;
}

function moveRow(m: CursorAdvance) {
  return { a: m.automationId, t: m.triggerId, expected: m.expectedNext, next: m.next_fire_at, state: m.state, last_at: m.last_fire_at, last_id: m.last_fire_id, late: m.late, enabled: m.enabled };
}

export async function getTrigger(conn: Conn, automationId: string, triggerId: string): Promise<TriggerTable | undefined> {
  return conn.selectFrom('triggers').selectAll().where('automation_id', '=', automationId).where('trigger_id', '=', triggerId).executeTakeFirst();
}

export async function updateTrigger(conn: Conn, automationId: string, triggerId: string, patch: Updateable<TriggerTable>): Promise<void> {
  await conn.updateTable('triggers').set(patch).where('automation_id', '=', automationId).where('trigger_id', '=', triggerId).execute();
}
