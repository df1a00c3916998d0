import { sql, type Kysely } from 'kysely';

/**
 * Webhooks and events: encrypted trigger secrets, the per-trigger delivery log and counters of
 * unauthenticated requests, the workspace trigger generation (event-trigger index invalidation),
 * and the dispatch mark of published events (an outbox: undispatched events are re-dispatched).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('secrets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    // by name: secrets are sealed before the applying transaction, when a new automation has no id yet
    .addColumn('automation_name', 'text', (c) => c.notNull())
    .addColumn('trigger_id', 'text', (c) => c.notNull())
    .addColumn('ciphertext', 'text', (c) => c.notNull())
    .addColumn('previous_ciphertext', 'text')
    .addColumn('previous_expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('secrets_trigger', ['workspace_id', 'automation_name', 'trigger_id'])
    .execute();

  await db.schema
    .createTable('webhook_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('automation_id', 'text', (c) => c.notNull().references('automations.id'))
    .addColumn('trigger_id', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('accepted','duplicate','filtered','rejected')`))
    .addColumn('reason', 'text')
    .addColumn('status_code', 'integer', (c) => c.notNull())
    .addColumn('run_ids', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('webhook_deliveries_trigger').on('webhook_deliveries').columns(['automation_id', 'trigger_id', 'id']).execute();

  await db.schema
    .createTable('trigger_stats')
    .addColumn('automation_id', 'text', (c) => c.notNull().references('automations.id'))
    .addColumn('trigger_id', 'text', (c) => c.notNull())
    .addColumn('unauthenticated', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_unauthenticated_at', 'bigint')
    .addColumn('last_unauthenticated_reason', 'text')
    .addPrimaryKeyConstraint('trigger_stats_pk', ['automation_id', 'trigger_id'])
    .execute();

  await db.schema
    .createTable('trigger_generations')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey().references('workspaces.id'))
    .addColumn('generation', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('events').addColumn('dispatched_at', 'bigint').execute();
  // existing events were published before matching existed: nothing to dispatch
  await db.updateTable('events').set({ dispatched_at: sql`created_at` }).execute();
  await db.schema.createIndex('events_undispatched').on('events').column('created_at').where(sql.ref('dispatched_at'), 'is', null).execute();
  await db.schema.createIndex('triggers_type').on('triggers').column('type').execute();
}
