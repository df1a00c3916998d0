/**
 * Templates never splice into what a program parses (audit D6): in `shell.command` a placeholder
 * may only be a whole argument after the first, and not the script of `sh -c`; values reach
 * scripts through `env`. Checked at apply; the whole-argument form runs with the value literal.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileDefinition } from '../../src/definition/parse.js';
import { createBuiltinRegistry } from '../../src/actions/registry.js';
import { DefinitionError } from '../../src/errors.js';
import { forEachDialect, makeNode, stepOf, uniqueName } from '../support/node.js';
import { randomBytes } from 'node:crypto';

const actions = createBuiltinRegistry();

function shellStep(command: unknown, extra: Record<string, unknown> = {}) {
  return { name: 'sh', inputs: { type: 'object', properties: { who: { type: 'string' }, prog: { type: 'string' } } }, steps: [{ id: 's', action: 'shell', with: { command, ...extra } }] };
}

function problemsOf(raw: unknown): { path: string; message: string }[] {
  try {
    compileDefinition(raw, (type) => actions.get(type));
    return [];
  } catch (err) {
    assert.ok(err instanceof DefinitionError, String(err));
    return err.problems;
  }
}

describe('shell: placeholders in command', () => {
  const refused: [string, unknown, string, RegExp][] = [
    ['the audit reproduction: a placeholder inside the sh -c script', ['/bin/sh', '-c', 'echo hi {{ inputs.who }}'], '$.steps[0].with.command[2]', /spliced into it.*pass the value through env/],
    ['the whole script of sh -c', ['sh', '-c', '{{ inputs.who }}'], '$.steps[0].with.command[2]', /the script sh runs.*env/],
    ['the script of bash -lc', ['/usr/bin/bash', '-lc', '{{ inputs.who }}'], '$.steps[0].with.command[2]', /the script bash runs/],
    ['inside any other argument', ['git', 'clone', 'https://x.test/{{ inputs.who }}.git'], '$.steps[0].with.command[2]', /whole argument/],
    ['the executable', ['{{ inputs.prog }}', 'x'], '$.steps[0].with.command[0]', /executable cannot come from a template.*env/],
    ['the whole command', '{{ inputs.prog }}', '$.steps[0].with.command', /literal argv array/],
  ];
  for (const [name, command, path, message] of refused) {
    test(`refused: ${name}`, () => {
      const problems = problemsOf(shellStep(command));
      const problem = problems.find((p) => p.path === path);
      assert.ok(problem, JSON.stringify(problems));
      assert.match(problem.message, message);
    });
  }

  const accepted: [string, unknown][] = [
    ['a whole argument after the first', ['echo', '{{ inputs.who }}']],
    ['an argument after the sh -c script ($1)', ['sh', '-c', 'printf "%s" "$1"', 'sh', '{{ inputs.who }}']],
    ['a literal script reading env', ['sh', '-c', 'echo "$WHO"']],
    ['an escaped placeholder', ['echo', 'x \\{{ inputs.who }}']],
  ];
  for (const [name, command] of accepted) {
    test(`accepted: ${name}`, () => assert.deepEqual(problemsOf(shellStep(command, { env: { WHO: 'a {{ inputs.who }}' } })), []));
  }
});

forEachDialect('shell: values as whole arguments and env', (db) => {
  test('a whole-argument placeholder and an env secret reach the program literally; the secret is redacted from the output', async () => {
    const node = await makeNode(db, { actions: [], config: { secretKey: randomBytes(32).toString('base64'), shell: { enabled: true, maxOutputBytes: 65536 } } });
    await node.rota.secrets.set(node.ws, 'SH_TOKEN', 'sh-secret-value-42');
    const name = uniqueName('sh');
    await node.apply({
      name,
      inputs: { type: 'object', properties: { who: { type: 'string' } } },
      steps: [
        { id: 'arg', action: 'shell', with: { command: ['sh', '-c', 'printf "%s" "$1"', 'sh', '{{ inputs.who }}'] } },
        { id: 'env', action: 'shell', with: { command: ['sh', '-c', 'printf "%s|%s" "$WHO" "$TOKEN"'], env: { WHO: '{{ inputs.who }}', TOKEN: '{{ secrets.SH_TOKEN }}' } } },
      ],
    });
    const run = await node.runToEnd(name, { who: 'x; echo INJECTED' });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.equal((stepOf(run, 'arg').output as { stdout: string }).stdout, 'x; echo INJECTED');
    assert.equal((stepOf(run, 'env').output as { stdout: string }).stdout, 'x; echo INJECTED|[redacted]');
    assert.deepEqual((stepOf(run, 'env').input as { env: unknown }).env, { WHO: 'x; echo INJECTED', TOKEN: '{{ secrets.SH_TOKEN }}' });
  });
});
