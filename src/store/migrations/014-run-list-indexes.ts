import { sql, type Kysely } from 'kysely';

/**
 * The runs explorer's filters at 100,000 runs (bench/web-runs.ts, EXPLAIN on both databases).
 * Filtering by automation counted its total by scanning the whole table (SQLite: 38 ms a page,
 * 5 ms with this index): `runs_workspace_automation` serves its pages in id order and its count
 * from the index alone. SQLite's planner knows only the average rows per status, so the first page
 * of a rare status (20 queued among 100,000) walked every run in id order (520 ms, now 2 ms):
 * `runs_workspace_status` gains `id`, so one status's pages come off the index in order, and it
 * still serves the admission count by workspace and status that it was made for (migration 008).
 * `runs_retry_of` lets a bulk retry see which runs were retried before (only retries have it).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('runs_workspace_automation').on('runs').columns(['workspace_id', 'automation_name', 'id']).execute();
  await db.schema.dropIndex('runs_workspace_status').execute();
  await db.schema.createIndex('runs_workspace_status').on('runs').columns(['workspace_id', 'status', 'id']).execute();
  await db.schema.createIndex('runs_retry_of').on('runs').column('retry_of').where(sql.ref('retry_of'), 'is not', null).execute();
}
