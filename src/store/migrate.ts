import { sql, type Kysely } from 'kysely';
import * as m001 from './migrations/001-initial.js';
import * as m004 from './migrations/004-agent.js';
import * as m003 from './migrations/003-webhooks-events.js';
import * as m005 from './migrations/005-approvals.js';
import * as m006 from './migrations/006-schedule-due-index.js';
import type { Dialect } from './dialect.js';

interface Migration {
  id: string;
  up(db: Kysely<any>): Promise<void>;
}

/** Forward-only, numbered, bundled into the build. Append; never edit a released one. */
export const MIGRATIONS: Migration[] = [
  { id: '001-initial', ...m001 },
  { id: '003-webhooks-events', ...m003 },
  { id: '005-approvals', ...m005 },
  { id: '004-agent', ...m004 },
  { id: '006-schedule-due-index', ...m006 },
];

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
        const done = await conn.selectFrom('rota_migrations').select('id').where('id', '=', migration.id).executeTakeFirst();
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
  return MIGRATIONS.filter((m) => !done.has(m.id)).map((m) => m.id);
}

async function tableExists(db: Kysely<any>): Promise<boolean> {
  const tables = await db.introspection.getTables();
  return tables.some((t) => t.name === 'rota_migrations');
}
