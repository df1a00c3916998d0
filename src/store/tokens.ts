import type { Conn } from './connect.js';
import type { TokenTable } from './schema.js';

export type TokenRow = TokenTable;

export async function insertToken(conn: Conn, row: TokenRow): Promise<void> {
  await conn.insertInto('tokens').values(row).execute();
}

export async function findTokenByHash(conn: Conn, hash: string): Promise<TokenRow | undefined> {
  return conn.selectFrom('tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
}

export async function listTokens(conn: Conn, workspaceId: string | null): Promise<TokenRow[]> {
  let q = conn.selectFrom('tokens').selectAll().orderBy('created_at');
  if (workspaceId !== null) q = q.where('workspace_id', '=', workspaceId);
  return q.execute();
}

export async function revokeToken(conn: Conn, id: string, workspaceId: string | null, now: number): Promise<boolean> {
  let q = conn.updateTable('tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null);
  if (workspaceId !== null) q = q.where('workspace_id', '=', workspaceId);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function touchToken(conn: Conn, id: string, now: number): Promise<void> {
  await conn.updateTable('tokens').set({ last_used_at: now }).where('id', '=', id).execute();
}

export async function getMeta(conn: Conn, key: string): Promise<string | undefined> {
  const row = await conn.selectFrom('rota_meta').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Sets a meta key only if absent; returns true when this call set it. */
export async function setMetaOnce(conn: Conn, key: string, value: string): Promise<boolean> {
  const row = await conn
    .insertInto('rota_meta')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .executeTakeFirst();
  return row !== undefined;
}
