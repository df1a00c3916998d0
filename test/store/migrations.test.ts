/**
 * Migration ids are `NNN-name`, unique and numbered 001, 002, ... in list order. Databases migrated
 * before the renumbering recorded other ids (applied as 001, 003, 005, 004, 006): such a database,
 * fully or partly migrated, reaches exactly the schema of a fresh one and nothing is applied twice.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { openStore, type Store } from '../../src/store/connect.js';
import { MIGRATIONS, migrate, pendingMigrations } from '../../src/store/migrate.js';
import { createPostgresSchema } from '../support/postgres.js';
import { DIALECTS, type Dialect } from '../support/node.js';

/** What a database migrated by the previous releases has in `rota_migrations`, in applied order. */
const OLD_RECORDED = ['001-initial', '003-webhooks-events', '005-approvals', '004-agent', '006-schedule-due-index'];

/** Every problem with a list of ids: format, uniqueness, numbering from 001 without gaps. */
function idProblems(ids: string[]): string[] {
  const problems: string[] = [];
  ids.forEach((id, i) => {
    const match = /^(\d{3})-[a-z0-9]+(?:-[a-z0-9]+)*$/.exec(id);
    if (!match) problems.push(`${id}: not NNN-name`);
    else if (Number(match[1]) !== i + 1) problems.push(`${id}: at position ${i + 1}`);
  });
  if (new Set(ids).size !== ids.length) problems.push('ids repeat');
  return problems;
}

test('migration ids are unique, sorted and contiguous from 001', () => {
  assert.deepEqual(idProblems(MIGRATIONS.map((m) => m.id)), []);
});

test('the id check refuses gaps, disorder, repeats and bad names', () => {
  assert.deepEqual(idProblems(['001-a', '003-b']), ['003-b: at position 2']);
  assert.deepEqual(idProblems(['001-a', '003-c', '002-b']), ['003-c: at position 2', '002-b: at position 3']);
  assert.deepEqual(idProblems(['001-a', '001-a']), ['001-a: at position 2', 'ids repeat']);
  assert.deepEqual(idProblems(['1-a']), ['1-a: not NNN-name']);
});

test('every id the previous releases recorded maps to exactly one migration, in the order they were applied', () => {
  const current = new Set(MIGRATIONS.map((m) => m.id));
  const mapped = OLD_RECORDED.map((old) => MIGRATIONS.filter((m) => m.id === old || m.recordedAs === old));
  assert.ok(mapped.every((list) => list.length === 1), 'an old id matches none or several migrations');
  assert.deepEqual(mapped.map((list) => MIGRATIONS.indexOf(list[0]!)), [0, 1, 2, 3, 4]);
  for (const m of MIGRATIONS) if (m.recordedAs) assert.ok(!current.has(m.recordedAs), `${m.recordedAs} is also a current id`);
});

/** Migrates like the previous releases did: their ids, their order, one transaction each. */
async function migrateAsBefore(store: Store, upTo: number): Promise<void> {
  await store.db.schema.createTable('rota_migrations').addColumn('id', 'text', (c) => c.primaryKey()).addColumn('applied_at', 'bigint', (c) => c.notNull()).execute();
  for (const old of OLD_RECORDED.slice(0, upTo)) {
    const migration = MIGRATIONS.find((m) => m.id === old || m.recordedAs === old)!;
    await store.db.transaction().execute(async (tx) => {
      await migration.up(tx);
      await sql`INSERT INTO rota_migrations (id, applied_at) VALUES (${old}, ${Date.now()})`.execute(tx);
    });
  }
}

async function pgTables(store: Store, pgSchema: string): Promise<Array<{ name: string; columns: Array<{ name: string; dataType: string; isNullable: boolean }> }>> {
  const { rows } = await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>`
    SELECT table_name, column_name, udt_name AS data_type, is_nullable FROM information_schema.columns WHERE table_schema = ${pgSchema}`.execute(store.db);
  const tables = new Map<string, Array<{ name: string; dataType: string; isNullable: boolean }>>();
  for (const r of rows) tables.set(r.table_name, [...(tables.get(r.table_name) ?? []), { name: r.column_name, dataType: r.data_type, isNullable: r.is_nullable === 'YES' }]);
  return [...tables].map(([name, columns]) => ({ name, columns }));
}

/** Tables with their columns, and index names: what a migration changes. */
async function schemaOf(store: Store, pgSchema: string | null): Promise<{ tables: string[]; indexes: string[] }> {
  // PostgreSQL: read this schema's columns only; the introspector lists every schema of the
  // database, and one that a concurrent test drops meanwhile fails the whole listing.
  const tables = (pgSchema === null ? await store.db.introspection.getTables() : await pgTables(store, pgSchema))
    .filter((t) => t.name !== 'rota_migrations')
    .map((t) => `${t.name}(${t.columns.map((c) => `${c.name} ${c.dataType}${c.isNullable ? '' : ' not null'}`).sort().join(', ')})`)
    .sort();
  const rows =
    pgSchema === null
      ? await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'`.execute(store.db)
      : await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE schemaname = ${pgSchema}`.execute(store.db);
  return { tables, indexes: rows.rows.map((r) => r.name).filter((n) => !n.startsWith('rota_migrations')).sort() };
}

interface Fresh {
  store: Store;
  pgSchema: string | null;
  close(): Promise<void>;
}

async function freshDatabase(dialect: Dialect): Promise<Fresh> {
  const dataDir = await mkdtemp(join(tmpdir(), `rota-migrations-${dialect}-`));
  const pg = dialect === 'postgres' ? await createPostgresSchema() : null;
  const store = await openStore({ databaseUrl: pg?.url ?? null, dataDir, migrate: false });
  return {
    store,
    pgSchema: pg?.schema ?? null,
    close: async () => {
      await store.close();
      await pg?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

for (const dialect of DIALECTS) {
  describe(`migrations [${dialect}]`, () => {
    test('a database migrated under the old ids, fully or partly, reaches the schema of a fresh one', async () => {
      const fresh = await freshDatabase(dialect);
      const opened: Fresh[] = [fresh];
      try {
        assert.deepEqual(await migrate(fresh.store.db, dialect), MIGRATIONS.map((m) => m.id));
        const expected = await schemaOf(fresh.store, fresh.pgSchema);
        assert.ok(expected.indexes.includes('triggers_schedule_due') && !expected.indexes.includes('triggers_type'));
        for (let upTo = 1; upTo <= OLD_RECORDED.length; upTo++) {
          const old = await freshDatabase(dialect);
          opened.push(old);
          await migrateAsBefore(old.store, upTo);
          const pending = MIGRATIONS.slice(upTo).map((m) => m.id);
          assert.deepEqual(await pendingMigrations(old.store.db), pending, `after ${upTo} old migrations`);
          assert.deepEqual(await migrate(old.store.db, dialect), pending, `after ${upTo} old migrations`);
          assert.deepEqual(await migrate(old.store.db, dialect), []);
          assert.deepEqual(await pendingMigrations(old.store.db), []);
          assert.deepEqual(await schemaOf(old.store, old.pgSchema), expected, `after ${upTo} old migrations`);
        }
      } finally {
        for (const db of opened) await db.close();
      }
    });
  });
}
