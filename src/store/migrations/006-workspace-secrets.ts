import type { Kysely } from 'kysely';

/**
 * Workspace secrets for actions (`{{ secrets.NAME }}`): one sealed value per workspace and name,
 * AES-256-GCM with the webhook secrets' key and the row id as associated data. `last_used_at` is
 * set when a step resolves the secret.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('workspace_secrets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addUniqueConstraint('workspace_secrets_name', ['workspace_id', 'name'])
    .execute();
}
