/**
 * Where a benchmark's node keeps its data: a temporary data dir, and on PostgreSQL a fresh schema
 * of `ROTA_TEST_POSTGRES_URL` (the database the test suite uses); `drop()` removes both.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const PG_URL = process.env.ROTA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchDatabase {
  dataDir: string;
  /** null on SQLite (the file lives in dataDir) */
  url: string | null;
  drop(): Promise<void>;
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function benchDatabase(dialect: 'sqlite' | 'postgres', prefix: string): Promise<BenchDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), `rota-bench-${prefix}-`));
  const schema = dialect === 'postgres' ? `bench_${prefix}_${Date.now()}` : null;
  if (schema) await admin(`CREATE SCHEMA ${schema}`);
  return {
    dataDir,
    url: schema ? `${PG_URL}?options=-c%20search_path%3D${schema}` : null,
    drop: async () => {
      rmSync(dataDir, { recursive: true, force: true });
      if (schema) await admin(`DROP SCHEMA ${schema} CASCADE`);
    },
  };
}
