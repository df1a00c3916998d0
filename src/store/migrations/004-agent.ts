import { sql, type Kysely } from 'kysely';

/**
 * Agent steps: `agent_calls` memoizes every model and tool call of an agent step (and is the cost
 * ledger: one `model` row per call made), `artifacts` keeps each final answer checked against an
 * output schema.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('agent_calls')
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('model','tool','budget')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('request', 'text')
    .addColumn('response', 'text')
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('ok','error')`))
    .addColumn('error', 'text')
    .addColumn('input_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('output_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cached_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('cost_usd', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('latency_ms', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('automation_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('agent_calls_pk', ['run_id', 'step_id', 'seq'])
    .execute();
  await db.schema.createIndex('agent_calls_workspace_day').on('agent_calls').columns(['workspace_id', 'created_at']).execute();
  await db.schema.createIndex('agent_calls_automation_day').on('agent_calls').columns(['automation_id', 'created_at']).execute();

  await db.schema
    .createTable('artifacts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('valid', 'integer', (c) => c.notNull())
    .addColumn('errors', 'text')
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size_bytes', 'integer', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('artifacts_step_position', ['run_id', 'step_id', 'position'])
    .execute();
}
