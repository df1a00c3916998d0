import { sql, type Kysely } from 'kysely';
import { PauseReason } from '../../states.js';

const PAUSE_REASONS = `(${Object.values(PauseReason).map((v) => `'${v}'`).join(',')})`;

/**
 * Admission state that must hold across nodes and restarts: a run's depth (links of child runs
 * and `run.*` event chains that led to it), and an automation's consecutive failed runs (the
 * circuit breaker) with why and when it was paused. The index serves the workspace concurrency
 * cap's count of a workspace's active runs at each claim.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('runs_workspace_status').on('runs').columns(['workspace_id', 'status']).execute();
  await db.schema.alterTable('runs').addColumn('depth', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('automations').addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .alterTable('automations')
    .addColumn('paused_reason', 'text', (c) => c.check(sql.raw(`paused_reason in ${PAUSE_REASONS}`)))
    .execute();
  await db.schema.alterTable('automations').addColumn('paused_at', 'bigint').execute();
}
