import { sql, type Kysely } from 'kysely';

/**
 * Bounded history. `runs_retention` serves the sweeper's per-automation scan of terminal runs by
 * end time; `approvals` and `delegations` get an index on `run_id` so deleting a run's rows is an
 * index lookup, not a scan per run; `events` and `webhook_deliveries` get one on their time for
 * their own retention. `agent_cost_days` is the daily cost rollup (per workspace, automation and
 * UTC day) that cost totals and daily budgets read, so they stay right after the agent calls of
 * pruned runs are gone; it is backfilled from the ledger as it stands.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('runs_retention').on('runs').columns(['automation_id', 'ended_at', 'id']).where(sql.ref('ended_at'), 'is not', null).execute();
  await db.schema.createIndex('approvals_run').on('approvals').column('run_id').execute();
  await db.schema.createIndex('delegations_run').on('delegations').column('run_id').execute();
  await db.schema.createIndex('events_created').on('events').column('created_at').execute();
  await db.schema.createIndex('webhook_deliveries_received').on('webhook_deliveries').column('received_at').execute();
  await db.schema
    .createTable('agent_cost_days')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('automation_id', 'text', (c) => c.notNull())
    .addColumn('day', 'integer', (c) => c.notNull())
    .addColumn('cost_usd', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('calls', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('agent_cost_days_pk', ['workspace_id', 'automation_id', 'day'])
    .execute();
  await db.schema.createIndex('agent_cost_days_automation').on('agent_cost_days').columns(['automation_id', 'day']).execute();
  await sql`
    INSERT INTO agent_cost_days (workspace_id, automation_id, day, cost_usd, tokens, calls)
    SELECT workspace_id, automation_id, created_at / 86400000, coalesce(sum(cost_usd), 0), coalesce(sum(input_tokens + output_tokens), 0), count(*)
    FROM agent_calls WHERE kind = 'model'
    GROUP BY workspace_id, automation_id, created_at / 86400000`.execute(db);
}
