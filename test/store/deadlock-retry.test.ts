// A change that locks an automation row and then its runs (pause, archive) takes the opposite order
// to a claim's; when PostgreSQL picks it as the deadlock victim it runs again instead of failing
// the API call (seen once in CI: "deadlock detected" from pausing while a worker claimed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachDialect, makeNode } from '../support/node.js';
import { internalsOf } from '../../src/testing/index.js';
import { transactionRetryingDeadlocks } from '../../src/store/dialect.js';

forEachDialect('transactions retried after a deadlock', (db) => {
  test('a deadlock victim runs again; other errors and the last attempt are thrown', async () => {
    const node = await makeNode(db, { start: false });
    const { store } = internalsOf(node.rota);
    let calls = 0;
    const victimOnce = await transactionRetryingDeadlocks(store.db, async () => {
      calls++;
      if (calls === 1) throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      return 'done';
    });
    assert.deepEqual([victimOnce, calls], ['done', 2]);

    calls = 0;
    await assert.rejects(
      transactionRetryingDeadlocks(store.db, async () => {
        calls++;
        throw Object.assign(new Error('unique violation'), { code: '23505' });
      }),
      /unique violation/,
    );
    assert.equal(calls, 1, 'not retried');

    calls = 0;
    await assert.rejects(
      transactionRetryingDeadlocks(store.db, async () => {
        calls++;
        throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      }, 3),
      /deadlock detected/,
    );
    assert.equal(calls, 3, 'three attempts, then the error');
  });
});
