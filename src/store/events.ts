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
