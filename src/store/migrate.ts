import { sql, type Kysely } from 'kysely';
import * as m001 from './migrations/001-initial.js';
import * as m002 from './migrations/002-webhooks-events.js';
import * as m003 from './migrations/003-approvals.js';
import * as m004 from './migrations/004-agent.js';
import * as m005 from './migrations/005-schedule-due-index.js';
import * as m006 from './migrations/006-workspace-secrets.js';
import * as m007 from './migrations/007-trigger-health.js';
import * as m008 from './migrations/008-admission.js';
import * as m009 from './migrations/009-open-runs-index.js';
import * as m010 from './migrations/010-retention.js';
import * as m011 from './migrations/011-run-traceparent.js';
import * as m012 from './migrations/012-event-traceparent.js';
import * as m013 from './migrations/013-cost-models.js';
import * as m014 from './migrations/014-run-list-indexes.js';
import * as m015 from './migrations/015-saved-from-run.js';
import type { Dialect } from './dialect.js';

export interface Migration {
  /** `NNN-name`: numbered from 001 without gaps, applied in that order */
  id: string;
  /**
   * The id databases migrated before the renumbering recorded for this migration. It counts as
   * applied under either id, and the recorded row is never rewritten: a node of the previous
   * release starting on the same database (a rolling upgrade) still finds the ids it knows.
   */
  recordedAs?: string;
  up(db: Kysely<any>): Promise<void>;
}

/**
 * Forward-only, numbered, bundled into the build. Append; never edit a released one. Up to
 * 005 they were applied as 001, 003, 005, 004, 006 (numbers taken out of order on branches);
 * the renumbered list keeps exactly that order, so every existing database is a prefix of it.
 */
export const MIGRATIONS: Migration[] = [
  { id: '001-initial', ...m001 },
  { id: '002-webhooks-events', recordedAs: '003-webhooks-events', ...m002 },
  { id: '003-approvals', recordedAs: '005-approvals', ...m003 },
  { id: '004-agent', ...m004 },
  { id: '005-schedule-due-index', recordedAs: '006-schedule-due-index', ...m005 },
  { id: '006-workspace-secrets', ...m006 },
  { id: '007-trigger-health', ...m007 },
  { id: '008-admission', ...m008 },
  { id: '009-open-runs-index', ...m009 },
  { id: '010-retention', ...m010 },
  { id: '011-run-traceparent', ...m011 },
  { id: '012-event-traceparent', ...m012 },
  { id: '013-cost-models', ...m013 },
  { id: '014-run-list-indexes', ...m014 },
  { id: '015-saved-from-run', ...m015 },
];

function recordedIds(migration: Migration): string[] {
  return migration.recordedAs ? [migration.id, migration.recordedAs] : [migration.id];
}

/**
 * Applies pending migrations, each in its own transaction. Safe when several nodes start at once:
 * PostgreSQL serializes them with an advisory lock, SQLite with BEGIN IMMEDIATE; each re-checks
 * what is applied after taking the lock.
 */
export async function migrate(db: Kysely<any>, dialect: Dialect): Promise<string[]> {
  await db.schema
    .createTable('rota_migrations')
    .ifNotExists()
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('applied_at', 'bigint', (c) => c.notNull())
    .execute()
    .catch(async (err) => {
      // Two PostgreSQL nodes racing on CREATE TABLE IF NOT EXISTS can collide on the type name.
      const exists = await tableExists(db);
      if (!exists) throw err;
    });
  const applied: string[] = [];
  for (const migration of MIGRATIONS) {
    const ran = await db.connection().execute(async (conn) => {
      await sql.raw(dialect === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN').execute(conn);
      try {
        if (dialect === 'postgres') await sql`SELECT pg_advisory_xact_lock(7307051)`.execute(conn);
        const done = await conn.selectFrom('rota_migrations').select('id').where('id', 'in', recordedIds(migration)).executeTakeFirst();
        if (done) {
          await sql`COMMIT`.execute(conn);
          return false;
        }
        await migration.up(conn);
        await conn.insertInto('rota_migrations').values({ id: migration.id, applied_at: Date.now() }).execute();
        await sql`COMMIT`.execute(conn);
        return true;
      } catch (err) {
        await sql`ROLLBACK`.execute(conn).catch(() => undefined);
        throw err;
      }
    });
    if (ran) applied.push(migration.id);
  }
  return applied;
}

export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  if (!(await tableExists(db))) return MIGRATIONS.map((m) => m.id);
  const rows = await db.selectFrom('rota_migrations').select('id').execute();
  const done = new Set(rows.map((r: { id: string }) => r.id));
  return MIGRATIONS.filter((m) => !recordedIds(m).some((id) => done.has(id))).map((m) => m.id);
}

async function tableExists(db: Kysely<any>): Promise<boolean> {
  const tables = await db.introspection.getTables();
  return tables.some((t) => t.name === 'rota_migrations');
}
