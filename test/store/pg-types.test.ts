/**
 * Rota parses PostgreSQL BIGINT (and count(*)) as numbers on its own pool only: an embedding
 * application's `pg` clients in the same process keep pg's default (strings), before and after a
 * Rota node has opened its pool and run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { internalsOf } from '../../src/testing/index.js';
import { DIALECTS, makeNode, TestDatabase } from '../support/node.js';

async function hostQuery(url: string): Promise<{ n: unknown; c: unknown; queued_at: unknown }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT 1::bigint AS n, count(*) AS c, max(queued_at) AS queued_at FROM runs');
    return rows[0];
  } finally {
    await client.end();
  }
}

if (DIALECTS.includes('postgres')) {
  describe('BIGINT parsing [postgres]', () => {
    const db = new TestDatabase('postgres');
    before(() => db.open());
    after(() => db.close());
    test("a host application's pg client gets strings for BIGINT; Rota's own queries get numbers", async () => {
      const node = await makeNode(db);
      await node.apply({ name: 'count-me', steps: [{ id: 'a', action: 'set', with: { x: 1 } }] });
      const run = await node.runToEnd('count-me');
      assert.equal(run.status, 'succeeded');

      const host = await hostQuery(db.databaseUrl!);
      assert.deepEqual(host, { n: '1', c: '1', queued_at: host.queued_at });
      assert.equal(typeof host.queued_at, 'string');
      assert.equal(pg.types.getTypeParser(pg.types.builtins.INT8)('42'), '42', 'the global INT8 parser was changed');

      const { store } = internalsOf(node.rota);
      const own = await sql<{ n: unknown; c: unknown; queued_at: unknown }>`SELECT 1::bigint AS n, count(*) AS c, max(queued_at) AS queued_at FROM runs`.execute(store.db);
      assert.deepEqual(own.rows[0], { n: 1, c: 1, queued_at: Number(host.queued_at) });
    });
  });
}
