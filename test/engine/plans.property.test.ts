/**
 * Property: for random DAG plans (3–8 steps, needs among earlier steps, some `if:` skips, random
 * retriable failures with or without enough retries) every run ends in a terminal state, no
 * attempt of a step executes twice, a step succeeds at most once, and a step only starts after
 * each of its dependencies succeeded (or was skipped). 3 rounds × 10 plans run concurrently.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isTerminalRun } from '../../src/states.js';
import { forEachDialect, makeNode, uniqueName } from '../support/node.js';

interface StepSpec {
  needs: number[];
  skip: boolean;
  failTimes: number;
  maxRetries: number;
}

const stepsArb = fc.integer({ min: 3, max: 8 }).chain((n) =>
  fc.tuple(
    ...Array.from({ length: n }, (_, i) =>
      fc.record({
        needs: fc.subarray(Array.from({ length: i }, (_, j) => j)),
        skip: fc.integer({ min: 0, max: 3 }).map((x) => x === 0 && i > 0),
        failTimes: fc.integer({ min: 0, max: 2 }),
        maxRetries: fc.integer({ min: 0, max: 2 }),
      }),
    ),
  ),
);

function definition(name: string, steps: StepSpec[]) {
  return {
    name,
    inputs: { type: 'object', properties: { go: { type: 'boolean', default: false } } },
    steps: steps.map((s, i) => ({
      id: `s${i}`,
      action: 'probe',
      needs: s.needs.map((d) => `s${d}`),
      ...(s.skip ? { if: { 'inputs.go': true } } : {}),
      retry: { max_retries: s.maxRetries, base_delay: '5ms', backoff: 'fixed', jitter: false },
      with: { fail_times: s.failTimes, delay_ms: 5 },
    })),
  };
}

forEachDialect('engine: random plans (property)', (db) => {
  test('random DAG plans end terminal, execute each attempt at most once, and respect needs', async () => {
    const node = await makeNode(db);
    await fc.assert(
      fc.asyncProperty(fc.array(stepsArb, { minLength: 10, maxLength: 10 }), async (plans) => {
        const runs = await Promise.all(
          plans.map(async (steps) => {
            const name = uniqueName('prop');
            await node.apply(definition(name, steps));
            return { steps, run: await node.start(name) };
          }),
        );
        for (const { steps, run: started } of runs) {
          const run = await node.waitEnd(started.id, 15_000);
          assert.ok(isTerminalRun(run.status), run.status);
          const calls = node.recorder.of(run.id);
          const attempts = new Set<string>();
          for (const c of calls) {
            const key = `${c.stepId}:${c.attempt}`;
            assert.ok(!attempts.has(key), `attempt ${key} executed twice`);
            attempts.add(key);
            assert.equal(c.key, `${run.id}:${c.stepId}`, 'one key per step, whatever the attempt');
          }
          const byId = new Map(run.steps!.map((s) => [s.id, s]));
          let anyHardFailure = false;
          steps.forEach((spec, i) => {
            const id = `s${i}`;
            const view = byId.get(id)!;
            const ok = calls.filter((c) => c.stepId === id && c.result === 'ok');
            assert.ok(ok.length <= 1, `${id} succeeded ${ok.length} times`);
            if (view.status === 'succeeded') {
              assert.equal(ok.length, 1);
              for (const d of spec.needs) {
                const dep = byId.get(`s${d}`)!;
                assert.ok(dep.status === 'succeeded' || dep.status === 'skipped', `${id} ran although s${d} is ${dep.status}`);
                const depOk = calls.find((c) => c.stepId === `s${d}` && c.result === 'ok');
                if (dep.status === 'succeeded') assert.ok(depOk && depOk.endSeq! < calls.find((c) => c.stepId === id)!.startSeq, `${id} started before s${d} ended`);
              }
            }
            if (view.status === 'skipped') assert.equal(calls.filter((c) => c.stepId === id).length, 0);
            if (view.status === 'failed') {
              anyHardFailure = true;
              assert.ok(spec.failTimes > spec.maxRetries, `${id} failed with enough retries`);
              assert.equal(calls.filter((c) => c.stepId === id).length, spec.maxRetries + 1);
            }
          });
          // Expected outcome: the run fails exactly when a step that got to run ran out of retries.
          assert.equal(run.status, anyHardFailure ? 'failed' : 'succeeded');
        }
      }),
      { numRuns: 3 },
    );
  });
});
