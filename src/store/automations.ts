/** Workspaces, automations, their versions and triggers. */
import type { Insertable, Updateable } from 'kysely';
import { AutomationStatus, PauseReason } from '../states.js';
import type { Conn } from './connect.js';
import type { AutomationTable, AutomationVersionTable, TriggerTable, WorkspaceTable } from './schema.js';

export type AutomationRow = AutomationTable;
export type VersionRow = AutomationVersionTable;
export type TriggerRow = TriggerTable;
export type WorkspaceRow = WorkspaceTable;

export async function findWorkspace(conn: Conn, nameOrId: string): Promise<WorkspaceRow | undefined> {
  return conn
    .selectFrom('workspaces')
    .selectAll()
    .where((eb) => eb.or([eb('name', '=', nameOrId), eb('id', '=', nameOrId)]))
    .executeTakeFirst();
}

export async function insertWorkspace(conn: Conn, row: WorkspaceRow): Promise<void> {
  await conn.insertInto('workspaces').values(row).onConflict((oc) => oc.column('name').doNothing()).execute();
}

export async function listWorkspaces(conn: Conn): Promise<WorkspaceRow[]> {
  return conn.selectFrom('workspaces').selectAll().orderBy('name').execute();
}

export async function findAutomation(conn: Conn, workspaceId: string, name: string): Promise<AutomationRow | undefined> {
  return conn.selectFrom('automations').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst();
}

export async function getAutomationById(conn: Conn, id: string): Promise<AutomationRow | undefined> {
  return conn.selectFrom('automations').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Rows by id, in one query (the scheduler's fire passes). */
export async function getAutomationsByIds(conn: Conn, ids: string[]): Promise<Map<string, AutomationRow>> {
  if (ids.length === 0) return new Map();
  const rows = await conn.selectFrom('automations').selectAll().where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

export async function listAutomations(
  conn: Conn,
  workspaceId: string,
  opts: { status?: AutomationStatus; after?: string | null; limit: number },
): Promise<{ rows: AutomationRow[]; total: number }> {
  let base = conn.selectFrom('automations').where('workspace_id', '=', workspaceId);
  if (opts.status) base = base.where('status', '=', opts.status);
  const totalRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  let page = base.selectAll().orderBy('name').limit(opts.limit);
  if (opts.after) page = page.where('name', '>', opts.after);
  return { rows: await page.execute(), total: Number(totalRow.n) };
}

export async function insertAutomation(conn: Conn, row: Insertable<AutomationTable>): Promise<void> {
  await conn.insertInto('automations').values(row).execute();
}

export async function updateAutomation(conn: Conn, id: string, patch: Updateable<AutomationTable>): Promise<void> {
  await conn.updateTable('automations').set(patch).where('id', '=', id).execute();
}

/** The circuit breaker's pause: only of an active automation; returns it when this call paused it. */
export async function pauseForFailures(conn: Conn, id: string, now: number): Promise<Pick<AutomationRow, 'id' | 'name' | 'workspace_id'> | undefined> {
  return conn
    .updateTable('automations')
    .set({ status: AutomationStatus.paused, paused_overlay: 1, paused_reason: PauseReason.circuit_breaker, paused_at: now, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', AutomationStatus.active)
    .returning(['id', 'name', 'workspace_id'])
    .executeTakeFirst();
}

export async function insertVersion(conn: Conn, row: VersionRow): Promise<void> {
  await conn.insertInto('automation_versions').values(row).execute();
}

export async function getVersion(conn: Conn, automationId: string, version: number): Promise<VersionRow | undefined> {
  return conn
    .selectFrom('automation_versions')
    .selectAll()
    .where('automation_id', '=', automationId)
    .where('version', '=', version)
    .executeTakeFirst();
}

/** The run the newest saved version (`save-as-automation`) of an automation froze, or null. */
export async function lastSavedFromRun(conn: Conn, automationId: string): Promise<string | null> {
  const row = await conn
    .selectFrom('automation_versions')
    .select('saved_from_run')
    .where('automation_id', '=', automationId)
    .where('saved_from_run', 'is not', null)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.saved_from_run ?? null;
}

export async function listVersions(conn: Conn, automationId: string): Promise<VersionRow[]> {
  return conn.selectFrom('automation_versions').selectAll().where('automation_id', '=', automationId).orderBy('version', 'desc').execute();
}

export async function listTriggers(conn: Conn, automationId: string): Promise<TriggerRow[]> {
  return conn.selectFrom('triggers').selectAll().where('automation_id', '=', automationId).orderBy('trigger_id').execute();
}

/** A trigger as a definition declares it; its health columns start at their defaults. */
export type TriggerInsert = Omit<TriggerRow, 'failure_count' | 'last_failure' | 'last_failure_at'>;

export async function upsertTrigger(conn: Conn, row: TriggerInsert): Promise<void> {
  await conn
    .insertInto('triggers')
    .values({ ...row, failure_count: 0, last_failure: null, last_failure_at: null })
    .onConflict((oc) =>
      oc.columns(['automation_id', 'trigger_id']).doUpdateSet({ type: row.type, config: row.config, enabled: row.enabled, updated_at: row.updated_at }),
    )
    .execute();
}

export async function deleteTriggersExcept(conn: Conn, automationId: string, keep: string[]): Promise<void> {
  let q = conn.deleteFrom('triggers').where('automation_id', '=', automationId);
  if (keep.length > 0) q = q.where('trigger_id', 'not in', keep);
  await q.execute();
}
