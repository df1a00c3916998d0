/** Sealed workspace secrets for actions (see node/secrets-service.ts); ciphertexts never leave the node. */
import type { Conn } from './connect.js';
import type { WorkspaceSecretTable } from './schema.js';

export type WorkspaceSecretRow = WorkspaceSecretTable;

export async function listWorkspaceSecrets(conn: Conn, workspaceId: string): Promise<WorkspaceSecretRow[]> {
  return conn.selectFrom('workspace_secrets').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').execute();
}

export async function getWorkspaceSecret(conn: Conn, workspaceId: string, name: string): Promise<WorkspaceSecretRow | undefined> {
  return conn.selectFrom('workspace_secrets').selectAll().where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst();
}

export async function getWorkspaceSecrets(conn: Conn, workspaceId: string, names: string[]): Promise<WorkspaceSecretRow[]> {
  if (names.length === 0) return [];
  return conn.selectFrom('workspace_secrets').selectAll().where('workspace_id', '=', workspaceId).where('name', 'in', names).execute();
}

export async function insertWorkspaceSecret(conn: Conn, row: WorkspaceSecretRow): Promise<void> {
  await conn.insertInto('workspace_secrets').values(row).execute();
}

export async function updateWorkspaceSecretValue(conn: Conn, id: string, ciphertext: string, now: number): Promise<void> {
  await conn.updateTable('workspace_secrets').set({ ciphertext, updated_at: now }).where('id', '=', id).execute();
}

export async function deleteWorkspaceSecret(conn: Conn, workspaceId: string, name: string): Promise<boolean> {
  const result = await conn.deleteFrom('workspace_secrets').where('workspace_id', '=', workspaceId).where('name', '=', name).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** One statement for every secret a step resolved. */
export async function touchWorkspaceSecrets(conn: Conn, ids: string[], now: number): Promise<void> {
  if (ids.length === 0) return;
  await conn.updateTable('workspace_secrets').set({ last_used_at: now }).where('id', 'in', ids).execute();
}
