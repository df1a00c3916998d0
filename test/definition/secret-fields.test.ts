/** Which fields of the built-in actions take `{{ secrets.NAME }}`: exactly the marked ones. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createBuiltinRegistry } from '../../src/actions/registry.js';
import { compileDefinition } from '../../src/definition/parse.js';
import { DefinitionError } from '../../src/errors.js';

const actions = createBuiltinRegistry();

function problemsOf(action: string, withValue: Record<string, unknown>): { path: string; message: string }[] {
  try {
    compileDefinition({ name: 'sf', steps: [{ id: 's', action, with: withValue }] }, (type) => actions.get(type));
    return [];
  } catch (err) {
    assert.ok(err instanceof DefinitionError, String(err));
    return err.problems;
  }
}

const S = '{{ secrets.TOKEN }}';

describe('secret-capable fields of the built-in actions', () => {
  const accepted: [string, Record<string, unknown>][] = [
    ['http', { url: 'https://x.test', headers: { authorization: `Bearer ${S}` } }],
    ['http', { url: 'https://x.test', query: { key: S } }],
    ['http', { url: 'https://x.test', method: 'POST', body: { token: S } }],
    ['shell', { command: ['env'], env: { TOKEN: S } }],
    ['delegate', { url: 'https://x.test', task: {}, headers: { authorization: `Bearer ${S}` } }],
  ];
  for (const [action, withValue] of accepted) {
    test(`accepted: ${action} ${Object.keys(withValue).at(-1)}`, () => assert.deepEqual(problemsOf(action, withValue), []));
  }

  const refused: [string, Record<string, unknown>, string, string][] = [
    ['http', { url: `https://x.test/${S}` }, '$.steps[0].with.url', 'headers, body, query'],
    ['shell', { command: ['echo', S] }, '$.steps[0].with.command[1]', 'env'],
    ['delegate', { url: 'https://x.test', task: { t: S } }, '$.steps[0].with.task.t', 'headers'],
    ['set', { v: S }, '$.steps[0].with.v', 'none'],
    ['emit_event', { name: 'e', data: { t: S } }, '$.steps[0].with.data.t', 'none'],
  ];
  for (const [action, withValue, path, fields] of refused) {
    test(`refused: ${path} of ${action}`, () => {
      const problem = problemsOf(action, withValue).find((p) => p.path === path);
      assert.ok(problem, `no problem at ${path}`);
      assert.ok(problem.message.includes(`(secret-capable fields: ${fields})`), problem.message);
    });
  }
});
