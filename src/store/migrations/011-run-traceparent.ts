import type { Kysely } from 'kysely';

/**
 * The W3C traceparent of a run's creation span (or of the caller's span when this node does not
 * trace), so that every later segment of the run, on any node, continues the same trace. Null
 * for runs created without tracing and without an incoming traceparent: nothing is written then.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('traceparent', 'text').execute();
}
