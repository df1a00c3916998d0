/** Encrypted trigger secrets (see triggers/secrets.ts); rows never leave the engine. */
import type { Updateable } from 'kysely';
import type { Conn } from './connect.js';
import type { SecretTable } from './schema.js';

export type SecretRow = SecretTable;

export async function getSecret(conn: Conn, id: string): Promise<SecretRow | undefined> {
  return conn.selectFrom('secrets').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function getTriggerSecret(conn: Conn, workspaceId: string, automation: string, triggerId: string): Promise<SecretRow | undefined> {
  return conn
    .selectFrom('secrets')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('automation_name', '=', automation)
    .where('trigger_id', '=', triggerId)
    .executeTakeFirst();
}

export async function insertSecret(conn: Conn, row: SecretRow): Promise<void> {
  await conn.insertInto('secrets').values(row).execute();
}

export async function updateSecret(conn: Conn, id: string, patch: Updateable<SecretTable>): Promise<void> {
  await conn.updateTable('secrets').set(patch).where('id', '=', id).execute();
}
