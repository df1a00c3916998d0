/** Concurrent look-ups share one query; every caller gets its own key's row or the query's error. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CoalescedLoader } from '../../src/engine/coalesced-loader.js';

describe('CoalescedLoader', () => {
  test('look-ups in one turn share one load with each key once; later ones get a fresh load', async () => {
    const loads: string[][] = [];
    const loader = new CoalescedLoader(async (keys: string[]) => {
      loads.push(keys);
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, `row:${k}`]));
    });
    const first = await Promise.all(['a', 'b', 'a', 'missing'].map((k) => loader.get(k)));
    assert.deepEqual(first, ['row:a', 'row:b', 'row:a', undefined]);
    assert.deepEqual(loads, [['a', 'b', 'missing']]);
    assert.equal(await loader.get('a'), 'row:a');
    assert.deepEqual(loads, [['a', 'b', 'missing'], ['a']], 'a look-up after the first load reads again (no cache)');
  });

  test('a failed load rejects every caller of its turn, and the next turn loads again', async () => {
    let fail = true;
    const loader = new CoalescedLoader(async (keys: string[]) => {
      if (fail) throw new Error('database down');
      return new Map(keys.map((k) => [k, k.toUpperCase()]));
    });
    const results = await Promise.allSettled([loader.get('x'), loader.get('y')]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    assert.match(String((results[0] as PromiseRejectedResult).reason), /database down/);
    fail = false;
    assert.equal(await loader.get('x'), 'X');
  });
});
