import { TriggerKind, type RunStatus } from '../states.js';
import type { Conn } from './connect.js';
import type { EventTable } from './schema.js';

export type EventRow = EventTable;

/** Inserts an event; with a dedupe id, a repeated id returns the stored event instead. */
export async function insertEvent(conn: Conn, row: EventRow): Promise<{ row: EventRow; duplicate: boolean }> {
  const inserted = await conn
    .insertInto('events')
    .values(row)
    .onConflict((oc) => oc.columns(['workspace_id', 'dedupe_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { row, duplicate: false };
  const existing = await conn
    .selectFrom('events')
    .selectAll()
    .where('workspace_id', '=', row.workspace_id)
    .where('dedupe_id', '=', row.dedupe_id)
    .executeTakeFirstOrThrow();
  return { row: existing, duplicate: true };
}

export async function listEvents(
  conn: Conn,
  workspaceId: string,
  opts: { name?: string; before?: string | null; limit: number },
): Promise<{ rows: EventRow[]; total: number }> {
  let base = conn.selectFrom('events').where('workspace_id', '=', workspaceId);
  if (opts.name) base = base.where('name', '=', opts.name);
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  let page = base.selectAll().orderBy('id', 'desc').limit(opts.limit);
  if (opts.before) page = page.where('id', '<', opts.before);
  return { rows: await page.execute(), total: Number(total.n) };
}

export interface EventRunRow {
  eventId: string;
  runId: string;
  automation: string;
  triggerId: string;
  status: RunStatus;
}

/** Pairs looked up per statement: 2 parameters each, well under SQLite's and PostgreSQL's limits. */
const PAIRS_PER_QUERY = 2_000;

/**
 * The runs the given events started through the workspace's event triggers. Such a run's
 * idempotency key is `event:<event id>:<trigger id>`, so each (automation, key) pair is one seek
 * of the unique index `runs_idempotency`; no scan, and no range over keys (whose order would
 * depend on PostgreSQL's collation). Runs of a trigger since removed from its definition are
 * not found.
 */
export async function runsOfEvents(conn: Conn, workspaceId: string, eventIds: string[]): Promise<EventRunRow[]> {
  if (eventIds.length === 0) return [];
  const triggers = await conn
    .selectFrom('triggers as t')
    .innerJoin('automations as a', 'a.id', 't.automation_id')
    .select(['t.automation_id', 't.trigger_id'])
    .where('a.workspace_id', '=', workspaceId)
    .where('t.type', '=', TriggerKind.event)
    .execute();
  const pairs = eventIds.flatMap((id) => triggers.map((t) => ({ automationId: t.automation_id, key: `event:${id}:${t.trigger_id}`, eventId: id })));
  const eventOf = new Map(pairs.map((p) => [`${p.automationId} ${p.key}`, p.eventId]));
  const out: EventRunRow[] = [];
  for (let i = 0; i < pairs.length; i += PAIRS_PER_QUERY) {
    const chunk = pairs.slice(i, i + PAIRS_PER_QUERY);
    const rows = await conn
      .selectFrom('runs')
      .select(['id', 'automation_id', 'automation_name', 'trigger_id', 'status', 'idempotency_key'])
      .where((eb) => eb(eb.refTuple('automation_id', 'idempotency_key'), 'in', chunk.map((p) => eb.tuple(p.automationId, p.key))))
      .execute();
    for (const r of rows) {
      const eventId = eventOf.get(`${r.automation_id} ${r.idempotency_key}`);
      if (eventId !== undefined) out.push({ eventId, runId: r.id, automation: r.automation_name, triggerId: r.trigger_id, status: r.status });
    }
  }
  return out.sort((a, b) => a.runId.localeCompare(b.runId));
}
