/** The executor's secret handling as a pure core: markers, stored inputs, reveal, redaction. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Plan, PlanStep } from '../../src/definition/types.js';
import { REDACTED, StepSecrets, redactSecrets } from '../../src/engine/step-secrets.js';
import { ErrorCode, RotaError } from '../../src/errors.js';

function step(id: string, withValue: Record<string, unknown>): PlanStep {
  return { id, action: 'http', with: withValue, needs: [], retry: { maxRetries: 0 } as PlanStep['retry'], timeoutMs: 1000, continueOnError: false, onFailure: false };
}

function planOf(...steps: PlanStep[]): Plan {
  return { steps, onFailure: [] } as unknown as Plan;
}

const FIELDS = ['headers', 'body'];

describe('StepSecrets', () => {
  const s = step('h', { url: 'https://x.test/{{ inputs.p }}', headers: { authorization: 'Bearer {{ secrets.TOKEN }}' }, body: '{{ secrets.TOKEN }}' });
  const secrets = new StepSecrets(planOf(s));
  const resolved = secrets.resolve(s, { inputs: { p: 'a' } }, FIELDS);

  test('the stored input keeps the placeholders; the revealed config has the value', () => {
    assert.deepEqual(secrets.stored(resolved), { url: 'https://x.test/a', headers: { authorization: 'Bearer {{ secrets.TOKEN }}' }, body: '{{ secrets.TOKEN }}' });
    assert.deepEqual(secrets.namesIn(resolved), ['TOKEN']);
    assert.deepEqual(secrets.reveal(resolved, new Map([['TOKEN', 'v1']])), { url: 'https://x.test/a', headers: { authorization: 'Bearer v1' }, body: 'v1' });
  });

  test('a secret that is not set fails with what to do', () => {
    assert.throws(
      () => secrets.reveal(resolved, new Map()),
      (err: unknown) => err instanceof RotaError && err.code === ErrorCode.template_unresolved && /secret "TOKEN" is not set.*rota secrets set TOKEN/.test(err.message),
    );
  });

  test('a secret outside the secret-capable fields does not resolve', () => {
    const bad = step('b', { url: '{{ secrets.TOKEN }}' });
    assert.throws(() => new StepSecrets(planOf(bad)).resolve(bad, {}, FIELDS), /secret-capable/);
  });

  test('placeholder text from elsewhere (an upstream output) never becomes a secret', () => {
    const copy = step('c', { headers: { x: '{{ steps.up.output }}', y: '{{ secrets.TOKEN }}' } });
    const own = new StepSecrets(planOf(copy));
    // also a marker of another run (another nonce), e.g. copied from its stored output
    const forged = secrets.resolve(s, { inputs: { p: 'a' } }, FIELDS) as { body: string };
    const input = own.resolve(copy, { steps: { up: { output: `{{ secrets.TOKEN }} ${forged.body}` } } }, FIELDS);
    const revealed = own.reveal(input, new Map([['TOKEN', 'v1']])) as { headers: { x: string; y: string } };
    assert.equal(revealed.headers.y, 'v1');
    assert.ok(!revealed.headers.x.includes('v1'), `forged reference resolved: ${revealed.headers.x}`);
  });

  test('a plan without secrets passes inputs through untouched', () => {
    const plain = step('p', { body: { a: 1 } });
    const none = new StepSecrets(planOf(plain));
    const input = none.resolve(plain, {}, FIELDS);
    assert.equal(none.stored(input), input);
    assert.deepEqual(none.namesIn(input), []);
  });
});

describe('redactSecrets', () => {
  const cases: [string, unknown, string[], unknown][] = [
    ['nested strings', { a: ['x tok-1 y', { b: 'tok-1' }], n: 1 }, ['tok-1'], { a: [`x ${REDACTED} y`, { b: REDACTED }], n: 1 }],
    ['keys', { 'tok-1': true }, ['tok-1'], { [REDACTED]: true }],
    ['the longer value first', 'abc-long abc', ['abc', 'abc-long'], `${REDACTED} ${REDACTED}`],
    ['empty values are ignored', 'text', [''], 'text'],
    ['no secrets', { a: 'tok-1' }, [], { a: 'tok-1' }],
  ];
  for (const [name, value, values, expected] of cases) test(name, () => assert.deepEqual(redactSecrets(value, values), expected));
});
