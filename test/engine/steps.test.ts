import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCode, ValidationError } from '../../src/errors.js';
import { forEachDialect, makeNode, stepOf, uniqueName } from '../support/node.js';

forEachDialect('engine: steps, templates and the plan', (db) => {
  test('sequential steps pass outputs through templates; the run output is the last step', async () => {
    const node = await makeNode(db);
    const name = uniqueName('seq');
    await node.apply({
      name,
      inputs: { type: 'object', properties: { who: { type: 'string' } }, required: ['who'] },
      steps: [
        { id: 'greet', action: 'set', with: { text: 'hello {{ inputs.who }}' } },
        { id: 'echo', action: 'probe', with: { output: { said: '{{ steps.greet.output.text }}!' } } },
        { id: 'last', action: 'set', with: { final: '{{ steps.echo.output.said }} ({{ run.automation }})' } },
      ],
    });
    const run = await node.runToEnd(name, { who: 'ada' });
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(stepOf(run, 'echo').output, { said: 'hello ada!' });
    assert.deepEqual(run.output, { final: `hello ada! (${name})` });
    assert.deepEqual(run.steps?.map((s) => [s.id, s.status, s.attempt]), [
      ['greet', 'succeeded', 1],
      ['echo', 'succeeded', 1],
      ['last', 'succeeded', 1],
    ]);
    const calls = node.recorder.of(run.id);
    assert.deepEqual(calls.map((c) => [c.stepId, c.key]), [['echo', `${run.id}:echo`]]);
  });

  test('a field that is one whole placeholder keeps the JSON type of its value', async () => {
    const node = await makeNode(db);
    const name = uniqueName('typed');
    await node.apply({
      name,
      inputs: {
        type: 'object',
        properties: { n: { type: 'integer' }, flag: { type: 'boolean' }, tags: { type: 'array', items: { type: 'string' } }, none: { type: 'null' } },
      },
      steps: [
        { id: 'src', action: 'set', with: { obj: { a: [1, 2] } } },
        {
          id: 'typed',
          action: 'set',
          with: {
            n: '{{ inputs.n }}',
            flag: '{{ inputs.flag }}',
            tags: '{{ inputs.tags }}',
            none: '{{ inputs.none }}',
            obj: '{{ steps.src.output.obj }}',
            text: 'n={{ inputs.n }}',
            nested: { deep: ['{{ inputs.n }}'] },
          },
        },
      ],
    });
    const run = await node.runToEnd(name, { n: 42, flag: false, tags: ['x', 'y'], none: null });
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(run.output, { n: 42, flag: false, tags: ['x', 'y'], none: null, obj: { a: [1, 2] }, text: 'n=42', nested: { deep: [42] } });
  });

  test('needs makes a DAG whose parallel branches really run at the same time', async () => {
    const node = await makeNode(db);
    const name = uniqueName('dag');
    await node.apply({
      name,
      steps: [
        { id: 'root', action: 'probe', with: { output: { v: 1 } } },
        { id: 'left', action: 'probe', needs: ['root'], with: { delay_ms: 250, output: { v: '{{ steps.root.output.v }}' } } },
        { id: 'right', action: 'probe', needs: ['root'], with: { delay_ms: 250, output: { v: 2 } } },
        { id: 'join', action: 'set', needs: ['left', 'right'], with: { sum: ['{{ steps.left.output.v }}', '{{ steps.right.output.v }}'] } },
      ],
    });
    const run = await node.runToEnd(name);
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(run.output, { sum: [1, 2] });
    const [root, left, right] = ['root', 'left', 'right'].map((id) => node.recorder.of(run.id, id)[0]);
    assert.ok(root.endSeq! < left.startSeq && root.endSeq! < right.startSeq, 'branches start after their dependency ended');
    assert.ok(left.startSeq < right.endSeq! && right.startSeq < left.endSeq!, 'the two branches overlapped');
    assert.equal(node.recorder.maxActive, 2);
    const started = (id: string) => Date.parse(stepOf(run, id).started_at!);
    assert.ok(started('join') >= Date.parse(stepOf(run, 'left').ended_at!) && started('join') >= Date.parse(stepOf(run, 'right').ended_at!));
  });

  test('if: false skips a step (status skipped) and its dependents still run', async () => {
    const node = await makeNode(db);
    const name = uniqueName('if');
    await node.apply({
      name,
      inputs: { type: 'object', properties: { go: { type: 'boolean', default: false } } },
      steps: [
        { id: 'maybe', action: 'probe', if: { 'inputs.go': true } },
        { id: 'after', action: 'probe', needs: ['maybe'], with: { output: { ran: true } } },
        { id: 'other', action: 'probe', needs: [], if: { 'inputs.go': { $ne: true } } },
      ],
    });
    const run = await node.runToEnd(name);
    assert.equal(run.status, 'succeeded');
    assert.equal(stepOf(run, 'maybe').status, 'skipped');
    assert.equal(stepOf(run, 'after').status, 'succeeded');
    assert.equal(stepOf(run, 'other').status, 'succeeded');
    assert.deepEqual(node.recorder.of(run.id).map((c) => c.stepId).sort(), ['after', 'other']);
    const skipped = (await node.events(run.id)).filter((e) => e.type === 'step.skipped');
    assert.deepEqual(skipped.map((e) => [e.step_id, e.data]), [['maybe', { reason: 'condition' }]]);

    const both = await node.runToEnd(name, { go: true });
    assert.deepEqual(both.steps?.map((s) => s.status), ['succeeded', 'succeeded', 'skipped']);
  });

  test('inputs are validated against the schema with defaults applied; invalid inputs fail with inputs_invalid', async () => {
    const node = await makeNode(db);
    const name = uniqueName('inputs');
    await node.apply({
      name,
      inputs: {
        type: 'object',
        properties: { repo: { type: 'string' }, limit: { type: 'integer', minimum: 1, default: 3 } },
        required: ['repo'],
        additionalProperties: false,
      },
      steps: [{ id: 'a', action: 'set', with: { limit: '{{ inputs.limit }}' } }],
    });
    const ok = await node.runToEnd(name, { repo: 'acme/api' });
    assert.deepEqual(ok.inputs, { repo: 'acme/api', limit: 3 });
    assert.deepEqual(ok.output, { limit: 3 });

    for (const bad of [{}, { repo: 'x', limit: 0 }, { repo: 'x', limit: 'many' }, { repo: 'x', other: 1 }]) {
      await assert.rejects(node.start(name, bad), (err: unknown) => {
        assert.ok(err instanceof ValidationError, String(err));
        assert.equal(err.code, ErrorCode.inputs_invalid);
        const details = err.details as { path: string; message: string }[];
        assert.ok(Array.isArray(details) && details.length > 0 && details.every((d) => typeof d.path === 'string' && d.message.length > 0), JSON.stringify(details));
        return true;
      });
    }
    const all = await node.rota.runs.list(node.ws, { automation: name });
    assert.equal(all.total, 1, 'invalid inputs created no run');
  });

  test('an idempotency key returns the same run (created false), whatever inputs the replay carries', async () => {
    const node = await makeNode(db);
    const name = uniqueName('idem');
    await node.apply({ name, inputs: { type: 'object', properties: { n: { type: 'integer' } } }, steps: [{ id: 'a', action: 'probe' }] });
    const first = await node.rota.runs.start(node.ws, name, { inputs: { n: 1 }, idempotencyKey: 'delivery-1' });
    const again = await node.rota.runs.start(node.ws, name, { inputs: { n: 2 }, idempotencyKey: 'delivery-1' });
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.equal(again.run.id, first.run.id);
    assert.deepEqual(again.run.inputs, { n: 1 });
    const other = await node.rota.runs.start(node.ws, name, { inputs: { n: 3 }, idempotencyKey: 'delivery-2' });
    assert.equal(other.created, true);
    assert.notEqual(other.run.id, first.run.id);
    await node.waitEnd(first.run.id);
    await node.waitEnd(other.run.id);
    assert.equal(node.recorder.ofAutomation(name).length, 2, 'one execution per run');
  });

  test('continue_on_error: a failed step does not fail the run and its dependents run', async () => {
    const node = await makeNode(db);
    const name = uniqueName('coe');
    await node.apply({
      name,
      steps: [
        { id: 'flaky', action: 'probe', continue_on_error: true, with: { fail_times: 1, fail_kind: 'non_retriable' } },
        { id: 'next', action: 'probe', needs: ['flaky'], with: { output: { done: true } } },
      ],
    });
    const run = await node.runToEnd(name);
    assert.equal(run.status, 'succeeded');
    assert.equal(stepOf(run, 'flaky').status, 'failed');
    assert.equal(stepOf(run, 'flaky').error?.code, ErrorCode.action_failed);
    assert.equal(stepOf(run, 'next').status, 'succeeded');
    assert.deepEqual(run.output, { done: true });
  });

  test('on_failure steps run after a failure and see run.error; the rest of the plan is canceled', async () => {
    const node = await makeNode(db);
    const name = uniqueName('onfail');
    await node.apply({
      name,
      steps: [
        { id: 'ok', action: 'probe' },
        { id: 'boom', action: 'probe', with: { fail_times: 1, fail_kind: 'non_retriable' } },
        { id: 'never', action: 'probe' },
      ],
      execution: {
        on_failure: [
          { id: 'alert', action: 'probe', with: { output: { error: '{{ run.error }}', code: 'code={{ run.error.code }}' } } },
          { id: 'alert2', action: 'probe' },
        ],
      },
    });
    const run = await node.runToEnd(name);
    assert.equal(run.status, 'failed');
    assert.equal(run.error?.code, ErrorCode.action_failed);
    assert.equal(run.error?.step_id, 'boom');
    assert.equal(stepOf(run, 'never').status, 'canceled');
    const alert = stepOf(run, 'alert');
    assert.equal(alert.status, 'succeeded');
    assert.equal(alert.on_failure, true);
    const out = alert.output as { error: { code: string; step_id: string; message: string }; code: string };
    assert.equal(out.error.step_id, 'boom');
    assert.equal(out.error.message, 'planned failure on attempt 1');
    assert.equal(out.code, 'code=action_failed');
    assert.equal(stepOf(run, 'alert2').status, 'succeeded');
    const order = node.recorder.of(run.id).map((c) => c.stepId);
    assert.deepEqual(order, ['ok', 'boom', 'alert', 'alert2']);

    const okName = uniqueName('onfail-ok');
    await node.apply({ name: okName, steps: [{ id: 'a', action: 'probe' }], execution: { on_failure: [{ id: 'alert', action: 'probe' }] } });
    const fine = await node.runToEnd(okName);
    assert.equal(fine.status, 'succeeded');
    assert.equal(stepOf(fine, 'alert').status, 'pending', 'on_failure steps do not run for a successful run');
    assert.deepEqual(node.recorder.of(fine.id).map((c) => c.stepId), ['a']);
  });

  test('the event log has strictly increasing seq numbers and no duplicate event per step attempt', async () => {
    const node = await makeNode(db);
    const name = uniqueName('log');
    await node.apply({
      name,
      steps: [
        { id: 'a', action: 'probe', retry: { max_retries: 2, base_delay: '20ms', backoff: 'fixed' }, with: { fail_times: 2 } },
        { id: 'b', action: 'probe', needs: ['a'], with: { delay_ms: 30 } },
        { id: 'c', action: 'probe', needs: ['a'], with: { delay_ms: 10 } },
        { id: 'd', action: 'probe', needs: ['b', 'c'], if: { 'run.attempt': 99 } },
      ],
    });
    const run = await node.runToEnd(name);
    assert.equal(run.status, 'succeeded');
    const events = await node.events(run.id);
    for (let i = 1; i < events.length; i++) assert.ok(events[i].seq > events[i - 1].seq, `seq ${events[i].seq} after ${events[i - 1].seq}`);
    assert.equal(events[0].type, 'run.queued');
    assert.equal(events.at(-1)?.type, 'run.succeeded');
    const seen = new Set<string>();
    for (const e of events.filter((x) => x.step_id !== null)) {
      const key = `${e.type}:${e.step_id}:${(e.data as { attempt?: number } | null)?.attempt ?? ''}`;
      assert.ok(!seen.has(key), `duplicate event ${key}`);
      seen.add(key);
    }
    const ofA = events.filter((e) => e.step_id === 'a').map((e) => `${e.type}#${(e.data as { attempt?: number }).attempt}`);
    assert.deepEqual(ofA, ['step.started#1', 'step.retrying#1', 'step.started#2', 'step.retrying#2', 'step.started#3', 'step.succeeded#3']);
    assert.ok(events.some((e) => e.type === 'step.skipped' && e.step_id === 'd'));
    assert.equal(events.filter((e) => e.type === 'run.started').length, 1);
  });

  test('the run report (JSON and markdown) lists every step', async () => {
    const node = await makeNode(db);
    const name = uniqueName('report');
    await node.apply({
      name,
      steps: [
        { id: 'fetch', action: 'probe' },
        { id: 'skipme', action: 'probe', if: { 'run.attempt': 0 } },
        { id: 'fail', action: 'probe', with: { fail_times: 1, fail_kind: 'non_retriable' } },
      ],
    });
    const run = await node.runToEnd(name);
    const report = await node.rota.runs.report(node.ws, run.id);
    assert.equal(report.run.id, run.id);
    assert.ok(report.events.length > 0);
    assert.match(report.markdown, new RegExp(`# Run ${run.id}`));
    assert.match(report.markdown, /\*\*Status:\*\* failed/);
    assert.match(report.markdown, /\| fetch \| probe \| succeeded \| 1 \|/);
    assert.match(report.markdown, /\| skipme \| probe \| skipped \| 0 \|/);
    assert.match(report.markdown, /\| fail \| probe \| failed \| 1 \| \d+ ms \| action_failed: planned failure on attempt 1 \|/);
    assert.match(report.markdown, /`run\.failed`/);
  });
});
