/** Webhook endpoints, the bounded delivery log and the unauthenticated-request counters. */
import { sql } from 'kysely';
import type { Conn } from './connect.js';
import type { WebhookDeliveryTable } from './schema.js';

export type DeliveryRow = WebhookDeliveryTable;

export interface EndpointRow {
  automation_id: string;
  trigger_id: string;
  config: string;
  enabled: number;
  workspace_id: string;
  secret_id: string | null;
  ciphertext: string | null;
  previous_ciphertext: string | null;
  previous_expires_at: number | null;
}

/** The webhook trigger behind `/hooks/{workspace}/{endpoint}` (workspace by name or id), with its secret row. */
export async function findEndpoint(conn: Conn, workspace: string, endpointId: string): Promise<EndpointRow | undefined> {
  return conn
    .selectFrom('triggers as t')
    .innerJoin('automations as a', 'a.id', 't.automation_id')
    .innerJoin('workspaces as w', 'w.id', 'a.workspace_id')
    .leftJoin('secrets as s', (j) =>
      j.onRef('s.workspace_id', '=', 'a.workspace_id').onRef('s.automation_name', '=', 'a.name').onRef('s.trigger_id', '=', 't.trigger_id'),
    )
    .select([
      't.automation_id',
      't.trigger_id',
      't.config',
      't.enabled',
      'a.workspace_id',
      's.id as secret_id',
      's.ciphertext',
      's.previous_ciphertext',
      's.previous_expires_at',
    ])
    .where('t.endpoint_id', '=', endpointId)
    .where('t.type', '=', 'webhook')
    .where((eb) => eb.or([eb('w.name', '=', workspace), eb('w.id', '=', workspace)]))
    .executeTakeFirst();
}

export async function insertDeliveries(conn: Conn, rows: DeliveryRow[]): Promise<void> {
  // 9 columns: 100 rows stay well under SQLite's bound-parameter limit
  for (let i = 0; i < rows.length; i += 100) await conn.insertInto('webhook_deliveries').values(rows.slice(i, i + 100)).execute();
}

/** Keeps the newest `keep` deliveries of a trigger. */
export async function pruneDeliveries(conn: Conn, automationId: string, triggerId: string, keep: number): Promise<void> {
  const boundary = await conn
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('automation_id', '=', automationId)
    .where('trigger_id', '=', triggerId)
    .orderBy('id', 'desc')
    .offset(keep - 1)
    .limit(1)
    .executeTakeFirst();
  if (!boundary) return;
  await conn.deleteFrom('webhook_deliveries').where('automation_id', '=', automationId).where('trigger_id', '=', triggerId).where('id', '<', boundary.id).execute();
}

export async function listDeliveries(conn: Conn, automationId: string, triggerId: string, opts: { before?: string | null; limit: number }): Promise<DeliveryRow[]> {
  let q = conn
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('automation_id', '=', automationId)
    .where('trigger_id', '=', triggerId)
    .orderBy('id', 'desc')
    .limit(opts.limit);
  if (opts.before) q = q.where('id', '<', opts.before);
  return q.execute();
}

export async function addUnauthenticated(conn: Conn, automationId: string, triggerId: string, count: number, at: number, reason: string): Promise<void> {
  await conn
    .insertInto('trigger_stats')
    .values({ automation_id: automationId, trigger_id: triggerId, unauthenticated: count, last_unauthenticated_at: at, last_unauthenticated_reason: reason })
    .onConflict((oc) =>
      oc.columns(['automation_id', 'trigger_id']).doUpdateSet({
        unauthenticated: sql`trigger_stats.unauthenticated + ${count}`,
        last_unauthenticated_at: at,
        last_unauthenticated_reason: reason,
      }),
    )
    .execute();
}

export async function getTriggerStats(conn: Conn, automationId: string, triggerId: string) {
  return conn.selectFrom('trigger_stats').selectAll().where('automation_id', '=', automationId).where('trigger_id', '=', triggerId).executeTakeFirst();
}
