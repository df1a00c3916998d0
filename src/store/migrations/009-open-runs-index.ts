import { sql, type Kysely } from 'kysely';

/**
 * The metrics' queued and waiting gauges count open runs on every scrape (cached a few seconds).
 * Without an index that leads with the status, that count scans every run ever kept; this partial
 * index holds only the open runs, so it stays as small as the backlog, on both databases.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createIndex('runs_open_status')
    .on('runs')
    .columns(['status', 'waiting_for'])
    .where(sql<boolean>`status in ('queued', 'waiting')`)
    .execute();
}
