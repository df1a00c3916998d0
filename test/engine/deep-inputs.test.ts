// Run inputs from library callers are bounded like HTTP bodies: the same limit, code and details.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forEachDialect, makeNode, uniqueName } from '../support/node.js';
import { ErrorCode, RotaError } from '../../src/errors.js';
import { internalsOf } from '../../src/testing/index.js';

function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

forEachDialect('deep run inputs at entry', (db) => {
  test('rota.runs.start refuses inputs nested deeper than 100 levels with the path and the limit; 100 levels start', async () => {
    const node = await makeNode(db);
    const name = uniqueName('deep');
    await node.apply({ name, steps: [{ id: 'a', action: 'probe' }] });
    await assert.rejects(
      node.rota.runs.start(node.ws, name, { inputs: { x: nested(100) } }),
      (err: unknown) =>
        err instanceof RotaError &&
        err.code === ErrorCode.invalid_request &&
        /^the run's inputs is JSON nested deeper than 100 levels at \$\.inputs\.x\.a\.a/.test(err.message) &&
        Array.isArray(err.details) &&
        /JSON nested deeper than 100 levels; flatten the value/.test((err.details as { message: string }[])[0]!.message),
    );
    // a circular value (only a library caller can pass one) is refused the same way, not a stack overflow
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await assert.rejects(node.rota.runs.start(node.ws, name, { inputs: circular }), (err: unknown) => err instanceof RotaError && err.code === ErrorCode.invalid_request);
    const runs = await internalsOf(node.rota).store.db.selectFrom('runs').select('id').where('automation_name', '=', name).execute();
    assert.equal(runs.length, 0, 'no run was created');
    const ok = await node.runToEnd(name, { x: nested(99) });
    assert.equal(ok.status, 'succeeded');
  });
});
