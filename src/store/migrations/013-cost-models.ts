import { sql, type Kysely } from 'kysely';

/**
 * Workspace costs by UTC day, automation and model (`GET /costs`). `agent_cost_model_days` is
 * the daily rollup of 010 with a `model` column (`provider:model`), written with it in the
 * transaction of every model call. It is a second table rather than a reshaped one: daily budgets
 * keep reading `agent_cost_days`, which a node of the previous release keeps writing during a
 * rolling upgrade (its upsert names the three-column key). Backfilled from the ledger; what the
 * 010 rollup holds beyond the ledger (the calls of runs pruned since) has no model left to name
 * and is kept under the model '' (the API shows it as null).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('agent_cost_model_days')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('day', 'integer', (c) => c.notNull())
    .addColumn('automation_id', 'text', (c) => c.notNull())
    .addColumn('model', 'text', (c) => c.notNull())
    .addColumn('cost_usd', 'double precision', (c) => c.notNull().defaultTo(0))
    .addColumn('tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('calls', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('agent_cost_model_days_pk', ['workspace_id', 'day', 'automation_id', 'model'])
    .execute();
  await sql`
    INSERT INTO agent_cost_model_days (workspace_id, day, automation_id, model, cost_usd, tokens, calls)
    SELECT workspace_id, created_at / 86400000, automation_id, name, coalesce(sum(cost_usd), 0), coalesce(sum(input_tokens + output_tokens), 0), count(*)
    FROM agent_calls WHERE kind = 'model'
    GROUP BY workspace_id, created_at / 86400000, automation_id, name`.execute(db);
  await sql`
    INSERT INTO agent_cost_model_days (workspace_id, day, automation_id, model, cost_usd, tokens, calls)
    SELECT d.workspace_id, d.day, d.automation_id, '', d.cost_usd - coalesce(l.cost_usd, 0), d.tokens - coalesce(l.tokens, 0), d.calls - coalesce(l.calls, 0)
    FROM agent_cost_days d
    LEFT JOIN (
      SELECT workspace_id, automation_id, day, sum(cost_usd) AS cost_usd, sum(tokens) AS tokens, sum(calls) AS calls
      FROM agent_cost_model_days GROUP BY workspace_id, automation_id, day
    ) l ON l.workspace_id = d.workspace_id AND l.automation_id = d.automation_id AND l.day = d.day
    WHERE d.calls > coalesce(l.calls, 0)`.execute(db);
}
