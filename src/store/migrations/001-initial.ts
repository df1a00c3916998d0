import { sql, type Kysely } from 'kysely';

const RUN_STATUSES = `('queued','running','waiting','succeeded','failed','canceled','timed_out','skipped')`;
const STEP_STATUSES = `('pending','running','waiting','succeeded','failed','skipped','canceled')`;

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('workspaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.references('workspaces.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();

  await db.schema
    .createTable('automations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('active','paused','archived')`))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('api','file')`))
    .addColumn('source_path', 'text')
    .addColumn('paused_overlay', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('latest_version', 'integer', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('automations_workspace_name', ['workspace_id', 'name'])
    .execute();

  await db.schema
    .createTable('automation_versions')
    .addColumn('automation_id', 'text', (c) => c.notNull().references('automations.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('definition', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('automation_versions_pk', ['automation_id', 'version'])
    .execute();

  await db.schema
    .createTable('triggers')
    .addColumn('automation_id', 'text', (c) => c.notNull().references('automations.id'))
    .addColumn('trigger_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('schedule','webhook','event','manual')`))
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('endpoint_id', 'text', (c) => c.unique())
    .addColumn('next_fire_at', 'bigint')
    .addColumn('last_fire_at', 'bigint')
    .addColumn('last_fire_id', 'text')
    .addColumn('schedule_hash', 'text')
    .addColumn('misfire_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_misfire_at', 'bigint')
    .addColumn('state', 'text')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('triggers_pk', ['automation_id', 'trigger_id'])
    .execute();
  await db.schema.createIndex('triggers_next_fire').on('triggers').column('next_fire_at').execute();

  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('automation_id', 'text', (c) => c.notNull().references('automations.id'))
    .addColumn('automation_name', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('trigger_id', 'text', (c) => c.notNull())
    .addColumn('trigger_kind', 'text', (c) => c.notNull())
    .addColumn('activation', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text')
    .addColumn('inputs', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql.raw(`status in ${RUN_STATUSES}`)))
    .addColumn('waiting_for', 'text')
    .addColumn('skip_reason', 'text')
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('queued_at', 'bigint', (c) => c.notNull())
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('output', 'text')
    .addColumn('error', 'text')
    .addColumn('cost_usd', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('parent_run_id', 'text')
    .addColumn('parent_step_id', 'text')
    .addColumn('retry_of', 'text')
    .addColumn('replay_of', 'text')
    .addColumn('concurrency_key', 'text')
    .addColumn('concurrency_limit', 'integer')
    .addColumn('lease_owner', 'text')
    .addColumn('claim_at', 'bigint')
    .addColumn('deadline_at', 'bigint')
    .addColumn('timeout_ms', 'bigint', (c) => c.notNull())
    .addColumn('event_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('pinned', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('runs_claim').on('runs').column('claim_at').where(sql.ref('claim_at'), 'is not', null).execute();
  await db.schema.createIndex('runs_idempotency').on('runs').columns(['automation_id', 'idempotency_key']).unique().execute();
  await db.schema.createIndex('runs_workspace').on('runs').columns(['workspace_id', 'id']).execute();
  await db.schema.createIndex('runs_automation_status').on('runs').columns(['automation_id', 'status']).execute();
  await db.schema.createIndex('runs_parent').on('runs').column('parent_run_id').execute();

  await db.schema
    .createTable('steps')
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql.raw(`status in ${STEP_STATUSES}`)))
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    .addColumn('input', 'text')
    .addColumn('output', 'text')
    .addColumn('error', 'text')
    .addColumn('logs', 'text')
    .addColumn('cost_usd', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('state', 'text')
    .addColumn('external_ref', 'text')
    .addColumn('wake_at', 'bigint')
    .addColumn('waiting_for', 'text')
    .addPrimaryKeyConstraint('steps_pk', ['run_id', 'step_id'])
    .execute();

  await db.schema
    .createTable('run_events')
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('step_id', 'text')
    .addColumn('data', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('run_events_pk', ['run_id', 'seq'])
    .addUniqueConstraint('run_events_idempotency', ['run_id', 'idempotency_key'])
    .execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('data', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('dedupe_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('events_dedupe').on('events').columns(['workspace_id', 'dedupe_id']).unique().execute();
  await db.schema.createIndex('events_workspace_name').on('events').columns(['workspace_id', 'name', 'created_at']).execute();

  await db.schema
    .createTable('rota_meta')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
