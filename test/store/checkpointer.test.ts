/**
 * A serving node's SQLite store checkpoints its WAL from a background thread: committed pages
 * reach the database file without any commit of the main connection running a checkpoint (its
 * own threshold is far above what is written here), and closing the store ends the thread.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openStore } from '../../src/store/connect.js';

async function fileSizes(dir: string) {
  return { db: (await stat(join(dir, 'rota.db'))).size, wal: (await stat(join(dir, 'rota.db-wal'))).size };
}

async function writeTwoMiB(store: Awaited<ReturnType<typeof openStore>>) {
  await sql`CREATE TABLE filler (id INTEGER PRIMARY KEY, v TEXT)`.execute(store.db);
  for (let i = 0; i < 16; i++) {
    await store.db.transaction().execute(async (tx) => {
      for (let j = 0; j < 32; j++) await sql`INSERT INTO filler (v) VALUES (${'x'.repeat(4000)})`.execute(tx);
    });
  }
}

test('background checkpoints copy the WAL into the database file; without them the pages wait in the WAL', async () => {
  const dirs = [await mkdtemp(join(tmpdir(), 'rota-ckpt-on-')), await mkdtemp(join(tmpdir(), 'rota-ckpt-off-'))];
  const warnings: string[] = [];
  try {
    const on = await openStore({ dataDir: dirs[0]!, backgroundCheckpoints: { onWarning: (m) => warnings.push(m) } });
    const off = await openStore({ dataDir: dirs[1]! });
    try {
      await writeTwoMiB(on);
      await writeTwoMiB(off);
      const deadline = Date.now() + 10_000;
      while ((await fileSizes(dirs[0]!)).db < 2 * 1024 * 1024 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.ok((await fileSizes(dirs[0]!)).db >= 2 * 1024 * 1024, `database file still ${(await fileSizes(dirs[0]!)).db} bytes: nothing checkpointed`);
      // SQLite's own threshold (1,000 pages) is not reached by 2 MiB: those pages are still in the WAL.
      const plain = await fileSizes(dirs[1]!);
      assert.ok(plain.db < 1024 * 1024 && plain.wal >= 2 * 1024 * 1024, `without the thread: ${JSON.stringify(plain)}`);
      const rows = await sql<{ n: number }>`SELECT count(*) AS n FROM filler`.execute(on.db);
      assert.equal(Number(rows.rows[0]!.n), 512);
    } finally {
      await on.close();
      await off.close();
    }
    assert.deepEqual(warnings, []);
  } finally {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
});
