import { sql, type Kysely } from 'kysely';

/**
 * Human decisions and external wake-ups of waiting steps: approvals (the `approval` action and the
 * agent's tool-call and budget approvals), event waits (`wait_for_event`) and delegations
 * (`delegate`). Each row is bound to one run step; deciding or matching it wakes that step.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('approvals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('step','tool_call','budget')`))
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('details', 'text')
    .addColumn('approvers', 'text')
    .addColumn('min_approvals', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending','approved','rejected','aborted','expired')`))
    .addColumn('outcome', 'text', (c) => c.check(sql`outcome in ('approved','rejected','aborted')`))
    .addColumn('value', 'text')
    .addColumn('decisions', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint')
    .addColumn('on_timeout', 'text', (c) => c.notNull().check(sql`on_timeout in ('reject','approve','abort')`))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_at', 'bigint')
    .addUniqueConstraint('approvals_step_key', ['run_id', 'step_id', 'key'])
    .execute();
  await db.schema.createIndex('approvals_inbox').on('approvals').columns(['workspace_id', 'state', 'id']).execute();

  await db.schema
    .createTable('event_waits')
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('filter', 'text')
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('waiting','matched')`))
    .addColumn('event_id', 'text')
    .addColumn('event', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('matched_at', 'bigint')
    .addPrimaryKeyConstraint('event_waits_pk', ['run_id', 'step_id'])
    .execute();
  await db.schema.createIndex('event_waits_active').on('event_waits').columns(['workspace_id', 'state']).execute();

  await db.schema
    .createTable('delegations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending','succeeded','failed')`))
    .addColumn('output', 'text')
    .addColumn('error', 'text')
    .addColumn('expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .addUniqueConstraint('delegations_step', ['run_id', 'step_id'])
    .execute();
}
