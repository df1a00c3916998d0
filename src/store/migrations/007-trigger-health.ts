import type { Kysely } from 'kysely';

/**
 * Trigger health: consecutive fires that failed to start a run (invalid inputs, a failing inputs
 * mapping, a fire error), with the last error and when it happened. A good fire sets the count
 * back to 0; the last error stays as history.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('triggers').addColumn('failure_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('triggers').addColumn('last_failure', 'text').execute();
  await db.schema.alterTable('triggers').addColumn('last_failure_at', 'bigint').execute();
}
