import type { Kysely } from 'kysely';

/**
 * The W3C traceparent of the API request that published an event, so that the runs its event
 * triggers start (also when the event is dispatched later, by the sweep) continue the caller's
 * trace. Null for events published without one.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('events').addColumn('traceparent', 'text').execute();
}
