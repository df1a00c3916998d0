/** The run page's timeline, derived from a run log: table-driven cases of attempts, waits and queue time. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RunEventView } from '../../src/client/index.js';
import { buildTimeline, initialQueueDelay, stepSpan, totals, type Segment } from '../../web/src/components/run-timeline-model.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');

/** A log from `[ms after T0, type, step_id, data]` rows, seq in order. */
function log(rows: [number, string, string | null, unknown?][]): RunEventView[] {
  return rows.map(([ms, type, step, data], i) => ({ seq: i + 1, type: type as RunEventView['type'], step_id: step, data: data ?? null, created_at: new Date(T0 + ms).toISOString() }));
}

const iso = (ms: number) => new Date(T0 + ms).toISOString();

/** Segments as `kind[start,end]` strings relative to T0 (`open` for an unended one), plus outcome or wait reason. */
function shape(segments: readonly Segment[]): string[] {
  return segments.map((s) => {
    const end = s.end === null ? 'open' : String(s.end - T0);
    const tag = s.kind === 'wait' ? `:${s.waitingFor}` : s.outcome ? `:${s.outcome}` : '';
    const attempt = s.kind === 'exec' && s.attempt ? `#${s.attempt}` : '';
    return `${s.kind}${attempt}[${s.start - T0},${end}]${tag}`;
  });
}

describe('run timeline model', () => {
  const cases: { name: string; events: RunEventView[]; steps?: string[]; run: string[]; step: Record<string, string[]> }[] = [
    {
      name: 'queued, then one step: the queue delay is apart from the execution',
      events: log([
        [0, 'run.queued', null],
        [100, 'run.started', null],
        [110, 'step.started', 'a', { attempt: 1 }],
        [200, 'step.succeeded', 'a', { attempt: 1 }],
        [210, 'run.succeeded', null],
      ]),
      run: ['queue[0,100]', 'exec[100,210]:ended'],
      step: { a: ['exec#1[110,200]:succeeded'] },
    },
    {
      name: 'a retry: each attempt its own bar, the backoff a wait, the time to be picked up again queued',
      events: log([
        [0, 'run.queued', null],
        [10, 'run.started', null],
        [20, 'step.started', 'a', { attempt: 1 }],
        [50, 'step.retrying', 'a', { attempt: 1, error: { code: 'http_error', message: '503' }, retry_at: iso(150) }],
        [55, 'run.waiting', null, { waiting_for: 'retry', steps: ['a'], wake_at: iso(150) }],
        [170, 'run.resumed', null],
        [171, 'step.started', 'a', { attempt: 2 }],
        [200, 'step.succeeded', 'a', { attempt: 2 }],
        [205, 'run.succeeded', null],
      ]),
      run: ['queue[0,10]', 'exec[10,55]', 'wait[55,150]:retry', 'queue[150,170]', 'exec[170,205]:ended'],
      step: { a: ['exec#1[20,50]:retrying', 'wait[50,150]:retry', 'queue[150,170]', 'exec#2[171,200]:succeeded'] },
    },
    {
      name: 'an approval: the wait ends at the decision, then the run queues until resumed',
      events: log([
        [0, 'run.queued', null],
        [5, 'run.started', null],
        [10, 'step.started', 'ok', { attempt: 1 }],
        [12, 'approval.requested', 'ok', { approval_id: 'x' }],
        [15, 'step.waiting', 'ok', { waiting_for: 'approval', wake_at: null }],
        [16, 'run.waiting', null, { waiting_for: 'approval', steps: ['ok'], wake_at: null }],
        [500, 'approval.resolved', 'ok', { approval_id: 'x', state: 'approved' }],
        [520, 'run.resumed', null],
        [530, 'step.succeeded', 'ok', { attempt: 1 }],
        [531, 'run.succeeded', null],
      ]),
      run: ['queue[0,5]', 'exec[5,16]', 'wait[16,500]:approval', 'queue[500,520]', 'exec[520,531]:ended'],
      step: { ok: ['exec#1[10,15]:suspended', 'wait[15,500]:approval', 'queue[500,520]', 'exec#1[520,530]:succeeded'] },
    },
    {
      name: 'a short sleep woken inside the same worker segment: no queue time, the step runs on',
      events: log([
        [0, 'run.queued', null],
        [1, 'run.started', null],
        [2, 'step.started', 'nap', { attempt: 1 }],
        [5, 'step.waiting', 'nap', { waiting_for: 'sleep', wake_at: iso(100) }],
        [103, 'step.succeeded', 'nap', { attempt: 1 }],
        [104, 'run.succeeded', null],
      ]),
      run: ['queue[0,1]', 'exec[1,104]:ended'],
      step: { nap: ['exec#1[2,5]:suspended', 'wait[5,100]:sleep', 'exec#1[100,103]:succeeded'] },
    },
    {
      name: 'parallel approvals: a resume for one leaves the other waiting',
      events: log([
        [0, 'run.queued', null],
        [1, 'run.started', null],
        [2, 'step.started', 'a', { attempt: 1 }],
        [2, 'step.started', 'b', { attempt: 1 }],
        [3, 'step.waiting', 'a', { waiting_for: 'approval' }],
        [3, 'step.waiting', 'b', { waiting_for: 'approval' }],
        [4, 'run.waiting', null, { waiting_for: 'approval' }],
        [50, 'approval.resolved', 'a', {}],
        [60, 'run.resumed', null],
        [61, 'step.succeeded', 'a', { attempt: 1 }],
        [62, 'run.waiting', null, { waiting_for: 'approval' }],
      ]),
      run: ['queue[0,1]', 'exec[1,4]', 'wait[4,50]:approval', 'queue[50,60]', 'exec[60,62]', 'wait[62,open]:approval'],
      step: { a: ['exec#1[2,3]:suspended', 'wait[3,50]:approval', 'queue[50,60]', 'exec#1[60,61]:succeeded'], b: ['exec#1[2,3]:suspended', 'wait[3,open]:approval'] },
    },
    {
      name: 'a canceled run closes what was still going on; skipped and never-started steps keep their rows',
      steps: ['first', 'maybe', 'long', 'never'],
      events: log([
        [0, 'run.queued', null],
        [1, 'run.started', null],
        [2, 'step.started', 'first', { attempt: 1 }],
        [3, 'step.succeeded', 'first', { attempt: 1 }],
        [3, 'step.skipped', 'maybe', { reason: 'condition' }],
        [4, 'step.started', 'long', { attempt: 1 }],
        [90, 'step.canceled', 'long', { reason: 'canceled' }],
        [91, 'run.canceled', null],
      ]),
      run: ['queue[0,1]', 'exec[1,91]:ended'],
      step: { first: ['exec#1[2,3]:succeeded'], maybe: ['exec[3,3]:skipped'], long: ['exec#1[4,90]:canceled'], never: [] },
    },
    {
      name: 'a run still going: the open attempt has no end',
      events: log([
        [0, 'run.queued', null],
        [30, 'run.started', null],
        [31, 'step.started', 'slow', { attempt: 1 }],
      ]),
      run: ['queue[0,30]', 'exec[30,open]'],
      step: { slow: ['exec#1[31,open]'] },
    },
  ];

  for (const c of cases) {
    test(c.name, () => {
      const timeline = buildTimeline(c.events, c.steps);
      assert.deepEqual(shape(timeline.run), c.run);
      for (const [id, expected] of Object.entries(c.step)) assert.deepEqual(shape(timeline.steps.get(id)?.segments ?? []), expected, id);
      if (c.steps) assert.deepEqual(timeline.order, c.steps);
      assert.equal(timeline.lastSeq, c.events.length);
    });
  }

  test("a step's span runs from its first attempt to its end, backoff and queue time included", () => {
    const retried = buildTimeline(cases[1].events).steps.get('a')!;
    assert.equal(stepSpan(retried.segments, T0 + 1_000), 180);
    assert.equal(stepSpan([], T0), null);
  });

  test('totals and the first queue delay count open segments up to now', () => {
    const timeline = buildTimeline(cases[cases.length - 1].events);
    const now = T0 + 100;
    assert.equal(initialQueueDelay(timeline, now), 30);
    assert.deepEqual(totals(timeline.run, now), { queue: 30, exec: 70, wait: 0 });
    assert.deepEqual(totals(timeline.steps.get('slow')!.segments, now), { queue: 0, exec: 69, wait: 0 });
  });

  test('agent entries sum tokens and cost per step; artifact entries are listed with their hash', () => {
    const timeline = buildTimeline(
      log([
        [0, 'run.queued', null],
        [1, 'run.started', null],
        [2, 'step.started', 'agent', { attempt: 1 }],
        [3, 'agent.model_call', 'agent', { input_tokens: 120, output_tokens: 15, cost_usd: 0.15 }],
        [4, 'agent.tool_call', 'agent', { tool: 'emit_event' }],
        [5, 'agent.model_call', 'agent', { input_tokens: 200, output_tokens: 8, cost_usd: 0.216 }],
        [6, 'artifact.invalid', 'agent', { artifact_id: 'a1', position: 2, valid: false, sha256: 'f'.repeat(64), errors: [{ path: '$', message: 'x' }] }],
        [7, 'artifact.repaired', 'agent', { artifact_id: 'a2', position: 3, valid: true, sha256: 'e'.repeat(64), errors: [] }],
        [8, 'step.succeeded', 'agent', { attempt: 1 }],
      ]),
    );
    const agent = timeline.steps.get('agent')!;
    assert.deepEqual([agent.modelCalls, agent.toolCalls, agent.inputTokens, agent.outputTokens], [2, 1, 320, 23]);
    assert.ok(Math.abs(agent.costUsd - 0.366) < 1e-9);
    assert.deepEqual(
      timeline.artifacts.map((a) => [a.kind, a.position, a.valid, a.sha256?.[0]]),
      [
        ['invalid', 2, false, 'f'],
        ['repaired', 3, true, 'e'],
      ],
    );
  });

  test('an entry seen twice (a stream replay overlapping the loaded log) counts once', () => {
    const events = log([
      [0, 'run.queued', null],
      [1, 'run.started', null],
      [2, 'step.started', 'a', { attempt: 1 }],
    ]);
    const timeline = buildTimeline([...events, events[2]]);
    assert.equal(timeline.steps.get('a')!.segments.length, 1);
    assert.equal(timeline.steps.get('a')!.events, 1);
  });
});
