/** Event triggers by workspace, the workspace trigger generation, and the event dispatch mark. */
import { AutomationStatus } from '../states.js';
import { sql } from 'kysely';
import type { Conn } from './connect.js';
import type { EventRow } from './events.js';

export interface EventTriggerRow {
  automation_id: string;
  automation_name: string;
  trigger_id: string;
  config: string;
}

/** Enabled event triggers of the workspace's non-archived automations. */
export async function listEventTriggers(conn: Conn, workspaceId: string): Promise<EventTriggerRow[]> {
  return conn
    .selectFrom('triggers as t')
    .innerJoin('automations as a', 'a.id', 't.automation_id')
    .select(['t.automation_id', 'a.name as automation_name', 't.trigger_id', 't.config'])
    .where('a.workspace_id', '=', workspaceId)
    .where('a.status', '!=', AutomationStatus.archived)
    .where('t.type', '=', 'event')
    .where('t.enabled', '=', 1)
    .execute();
}

export async function getTriggerGeneration(conn: Conn, workspaceId: string): Promise<number> {
  const row = await conn.selectFrom('trigger_generations').select('generation').where('workspace_id', '=', workspaceId).executeTakeFirst();
  return row ? Number(row.generation) : 0;
}

export async function bumpTriggerGeneration(conn: Conn, workspaceId: string): Promise<void> {
  await conn
    .insertInto('trigger_generations')
    .values({ workspace_id: workspaceId, generation: 1 })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ generation: sql`trigger_generations.generation + 1` }))
    .execute();
}

export async function markDispatched(conn: Conn, eventId: string, at: number): Promise<void> {
  await conn.updateTable('events').set({ dispatched_at: at }).where('id', '=', eventId).execute();
}

/** Events whose dispatch did not complete (the node stopped, a fire failed), oldest first. */
export async function listUndispatched(conn: Conn, olderThan: number, limit: number): Promise<EventRow[]> {
  return conn.selectFrom('events').selectAll().where('dispatched_at', 'is', null).where('created_at', '<', olderThan).orderBy('created_at').limit(limit).execute();
}
