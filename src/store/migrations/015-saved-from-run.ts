import type { Kysely } from 'kysely';

/**
 * Saved workflows (SPEC §6): a version written by `save-as-automation` records the run whose
 * realized plan it froze, and the freezability report of that save (JSON). Null for every
 * version applied as a definition.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('automation_versions').addColumn('saved_from_run', 'text').execute();
  await db.schema.alterTable('automation_versions').addColumn('freeze_report', 'text').execute();
}
