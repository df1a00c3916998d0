/**
 * Traces (issue 11 item 5), with the real OTLP/HTTP exporter against a loopback receiver:
 * one trace per run, its segments (after a wait, after a takeover by another node) linked to the
 * run's creation, a span per step attempt, GenAI spans of an agent step's model and tool calls,
 * traceparent sent on http requests and accepted from the API and webhook deliveries.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { forEachDialect, makeNode, eventually, uniqueName, DIALECTS, type TestNode } from '../support/node.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';
import { makeAgentNode } from '../agent/harness.js';
import { startTestServer, apiClient } from '../api/harness.js';
import { internalsOf } from '../../src/testing/index.js';
import type { ToolDefinition } from '../../src/agent/tool.js';
import type { TracingConfig } from '../../src/config/types.js';

function tracing(otlp: OtlpReceiver): TracingConfig {
  return { enabled: true, endpoint: otlp.endpoint, serviceName: 'rota-test', sampleRatio: 1, headers: {} };
}

/** A loopback HTTP server that answers 200 {} and keeps every request's headers. */
async function startTarget(): Promise<{ url: string; requests: IncomingHttpHeaders[]; close(): Promise<void> }> {
  const requests: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests, close: () => new Promise((r) => server.close(() => r())) };
}

async function flush(...nodes: TestNode[]): Promise<void> {
  for (const node of nodes) await internalsOf(node.rota).flushTraces();
}

function runSpan(otlp: OtlpReceiver, runId: string): Promise<ReceivedSpan> {
  return eventually(() => otlp.spans.find((s) => s.name.startsWith('run ') && s.attributes['rota.run.id'] === runId), 5_000, `the run span of ${runId}`);
}

const lookup: ToolDefinition<{ q: string }> = {
  name: 'lookup',
  description: 'Looks something up',
  inputSchema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
  handler: async ({ q }) => ({ found: q }),
};

forEachDialect('tracing', (db) => {
  let otlp: OtlpReceiver;
  let llm: StandIn;
  let target: Awaited<ReturnType<typeof startTarget>>;
  before(async () => {
    otlp = await startOtlpReceiver();
    llm = await startStandIn();
    target = await startTarget();
  });
  after(async () => {
    await otlp.close();
    await llm.close();
    await target.close();
  });

  test('one trace per run: the run span, its segments, step attempts, http traceparent, GenAI spans', async () => {
    const node = await makeAgentNode(db, llm, { tools: [lookup], config: { tracing: tracing(otlp) } });
    const name = uniqueName('traced');
    await node.apply({
      name,
      steps: [
        { id: 'call', action: 'http', with: { method: 'POST', url: `${target.url}/hook`, body: { hello: 'world' } } },
        { id: 'nap', action: 'sleep', needs: ['call'], with: { duration: '300ms' } },
        { id: 'think', action: 'agent', needs: ['nap'], with: { prompt: 'Look up a', tools: ['lookup'] } },
      ],
    });
    llm.script([{ toolCalls: [{ name: 'lookup', arguments: { q: 'a' } }], usage: { input: 11, output: 7 } }, { text: 'done', usage: { input: 20, output: 5 } }]);
    const run = await node.runToEnd(name, {}, 10_000);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    await flush(node);

    const root = await runSpan(otlp, run.id);
    assert.equal(root.parentSpanId, null, 'a run started without a caller starts its own trace');
    assert.equal(root.name, `run ${name}`);
    assert.equal(root.resource['service.name'], 'rota-test');
    assert.equal(root.resource['rota.node.id'], node.rota.config.nodeId);
    const stored = await internalsOf(node.rota).store.db.selectFrom('runs').select('traceparent').where('id', '=', run.id).executeTakeFirstOrThrow();
    assert.equal(stored.traceparent, `00-${root.traceId}-${root.spanId}-01`, 'the creation span is stored with the run');

    const inTrace = await eventually(() => {
      const spans = otlp.spans.filter((s) => s.traceId === root.traceId);
      return spans.filter((s) => s.name.startsWith('step ')).length >= 4 ? spans : undefined;
    }, 5_000, 'the step spans');
    assert.ok(otlp.spans.filter((s) => s.attributes['rota.run.id'] === run.id).every((s) => s.traceId === root.traceId), 'one trace id for the whole run');

    const segments = inTrace.filter((s) => s.name === `segment ${name}`);
    assert.deepEqual(segments.map((s) => s.attributes['rota.segment.kind']).sort(), ['resumed', 'started']);
    const first = segments.find((s) => s.attributes['rota.segment.kind'] === 'started')!;
    const later = segments.find((s) => s.attributes['rota.segment.kind'] === 'resumed')!;
    for (const segment of segments) assert.equal(segment.parentSpanId, root.spanId, 'segments are children of the run span');
    assert.equal(first.attributes['rota.segment.outcome'], 'waiting');
    assert.equal(later.attributes['rota.segment.outcome'], 'succeeded');
    assert.deepEqual(first.links, [], 'the first segment is the run span\'s plain child');
    assert.deepEqual(later.links.map((l) => [l.traceId, l.spanId]), [[root.traceId, root.spanId]], 'a later segment links to the run span');

    const steps = (id: string) => inTrace.filter((s) => s.name === `step ${id}`);
    const [call] = steps('call');
    assert.equal(call!.parentSpanId, first.spanId);
    assert.equal(call!.attributes['rota.step.action'], 'http');
    assert.equal(call!.attributes['rota.step.attempt'], 1);
    assert.equal(call!.attributes['rota.step.outcome'], 'succeeded');
    const naps = steps('nap');
    assert.deepEqual(naps.map((s) => [s.parentSpanId, s.attributes['rota.step.outcome'], s.attributes['rota.step.resumed']]).sort(), [
      [first.spanId, 'waiting', undefined],
      [later.spanId, 'succeeded', true],
    ].sort());
    const [think] = steps('think');
    assert.equal(think!.parentSpanId, later.spanId);

    const sent = target.requests.at(-1)!;
    assert.equal(sent.traceparent, `00-${root.traceId}-${call!.spanId}-01`, 'the http request carries the step span as traceparent');

    const chats = inTrace.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    assert.equal(chats.length, 2);
    for (const chat of chats) {
      assert.equal(chat.parentSpanId, think!.spanId);
      assert.equal(chat.name, 'chat test-model');
      assert.equal(chat.kind, 3, 'SPAN_KIND_CLIENT');
      assert.equal(chat.attributes['gen_ai.provider.name'], 'fake');
      assert.equal(chat.attributes['gen_ai.request.model'], 'test-model');
      assert.equal(chat.attributes['gen_ai.response.model'], 'test-model');
    }
    const usage = chats.map((c) => [c.attributes['gen_ai.usage.input_tokens'], c.attributes['gen_ai.usage.output_tokens']]).sort();
    assert.deepEqual(usage, [[11, 7], [20, 5]]);
    const tools = inTrace.filter((s) => s.attributes['gen_ai.operation.name'] === 'execute_tool');
    assert.equal(tools.length, 1);
    assert.equal(tools[0]!.name, 'execute_tool lookup');
    assert.equal(tools[0]!.attributes['gen_ai.tool.name'], 'lookup');
    assert.equal(tools[0]!.parentSpanId, think!.spanId);
    assert.ok(otlp.requests.every((r) => r.path === '/v1/traces' && r.contentType?.includes('application/json')), 'OTLP/HTTP with JSON');
  });

  test('a failed attempt and its retry are two step spans with outcome and error', async () => {
    const node = await makeNode(db, { config: { tracing: tracing(otlp) } });
    const name = uniqueName('retried');
    await node.apply({ name, steps: [{ id: 'p', action: 'probe', with: { fail_times: 1 }, retry: { max_retries: 2, base_delay: '10ms', backoff: 'fixed', jitter: false } }] });
    const run = await node.runToEnd(name);
    assert.equal(run.status, 'succeeded');
    await flush(node);
    const root = await runSpan(otlp, run.id);
    const attempts = await eventually(() => {
      const spans = otlp.spans.filter((s) => s.traceId === root.traceId && s.name === 'step p');
      return spans.length === 2 ? spans : undefined;
    });
    const byAttempt = attempts.sort((a, b) => Number(a.attributes['rota.step.attempt']) - Number(b.attributes['rota.step.attempt']));
    assert.equal(byAttempt[0]!.attributes['rota.step.outcome'], 'retry');
    assert.equal(byAttempt[0]!.status.code, 2, 'STATUS_CODE_ERROR');
    assert.match(String(byAttempt[0]!.status.message), /planned failure on attempt 1/);
    assert.equal(typeof byAttempt[0]!.attributes['error.type'], 'string');
    assert.equal(byAttempt[1]!.attributes['rota.step.outcome'], 'succeeded');
    assert.equal(byAttempt[1]!.status.code, 0);
  });

  test('a run released by one node and taken over by another continues its trace, linked to its creation', async () => {
    const a = await makeNode(db, { config: { tracing: tracing(otlp) } });
    const name = uniqueName('moved');
    await a.apply({ name, steps: [{ id: 'p', action: 'probe', with: { hang_if_flag: 'hold' } }] });
    a.recorder.flags.add('hold');
    const started = await a.start(name);
    await eventually(() => (a.recorder.of(started.id, 'p').length > 0 ? true : undefined));
    await a.stop(0);
    a.recorder.flags.delete('hold');
    const b = await makeNode(db, { config: { tracing: tracing(otlp) }, recorder: a.recorder });
    const run = await b.waitEnd(started.id);
    assert.equal(run.status, 'succeeded');
    await flush(b);
    const root = await runSpan(otlp, run.id);
    const segments = await eventually(() => {
      const spans = otlp.spans.filter((s) => s.traceId === root.traceId && s.name === `segment ${name}`);
      return spans.length === 2 ? spans : undefined;
    });
    const released = segments.find((s) => s.attributes['rota.segment.kind'] === 'started')!;
    const takeover = segments.find((s) => s.attributes['rota.segment.kind'] === 'lease_taken_over')!;
    assert.equal(released.attributes['rota.segment.outcome'], 'released');
    assert.equal(released.resource['rota.node.id'], a.rota.config.nodeId);
    assert.equal(takeover.resource['rota.node.id'], b.rota.config.nodeId);
    assert.equal(takeover.parentSpanId, root.spanId);
    assert.deepEqual(takeover.links.map((l) => l.spanId), [root.spanId]);
    const steps = otlp.spans.filter((s) => s.traceId === root.traceId && s.name === 'step p');
    assert.deepEqual(steps.map((s) => [s.parentSpanId === released.spanId ? 'a' : 'b', s.attributes['rota.step.outcome']]).sort(), [['a', 'aborted'], ['b', 'succeeded']]);
  });

  test('a child run (run_automation) is part of its parent\'s trace, under the starting step', async () => {
    const node = await makeNode(db, { config: { tracing: tracing(otlp) } });
    const child = uniqueName('child');
    const parent = uniqueName('parent');
    await node.apply({ name: child, steps: [{ id: 'c', action: 'set', with: { x: 1 } }] });
    await node.apply({ name: parent, steps: [{ id: 'start', action: 'run_automation', with: { automation: child } }] });
    const run = await node.runToEnd(parent);
    assert.equal(run.status, 'succeeded');
    await flush(node);
    const root = await runSpan(otlp, run.id);
    const childRoot = await eventually(() => otlp.spans.find((s) => s.name === `run ${child}` && s.traceId === root.traceId));
    const starts = otlp.spans.filter((s) => s.traceId === root.traceId && s.name === 'step start');
    assert.ok(starts.some((s) => s.spanId === childRoot.parentSpanId), 'the child run span is a child of the step that started it');
  });

  test('delegate posts carry the step span as traceparent; a traceparent set in http headers is kept', async () => {
    const node = await makeNode(db, { config: { tracing: tracing(otlp), http: { allowlist: ['127.0.0.1'], maxResponseBytes: 1 << 20, defaultTimeoutMs: 5_000 } } });
    const name = uniqueName('outbound');
    const own = `00-${'e'.repeat(32)}-${'f'.repeat(16)}-01`;
    await node.apply({
      name,
      steps: [
        { id: 'mine', action: 'http', with: { url: `${target.url}/own`, headers: { TraceParent: own } } },
        { id: 'hand', action: 'delegate', needs: ['mine'], with: { url: `${target.url}/delegate`, task: { do: 'it' }, timeout: '1m' } },
      ],
    });
    const seen = target.requests.length;
    const run = await node.start(name);
    const posted = await eventually(() => (target.requests.length >= seen + 2 ? target.requests.slice(seen) : undefined));
    await node.rota.runs.cancel(node.ws, run.id);
    assert.equal(posted[0]!.traceparent, own, "the step's own traceparent header wins");
    await flush(node);
    const root = await runSpan(otlp, run.id);
    const hand = await eventually(() => otlp.spans.find((s) => s.traceId === root.traceId && s.name === 'step hand'));
    assert.equal(posted[1]!.traceparent, `00-${root.traceId}-${hand.spanId}-01`);
  });

  test('tracing off: no span is sent and no traceparent is stored or sent', async () => {
    const before = otlp.spans.length;
    const node = await makeNode(db, { config: { http: { allowlist: ['127.0.0.1'], maxResponseBytes: 1 << 20, defaultTimeoutMs: 5_000 } } });
    const name = uniqueName('untraced');
    await node.apply({ name, steps: [{ id: 'call', action: 'http', with: { url: `${target.url}/plain` } }] });
    const run = await makeNodeRun(node, name);
    assert.equal(run.status, 'succeeded');
    assert.equal(internalsOf(node.rota).context.tracer, null);
    const stored = await internalsOf(node.rota).store.db.selectFrom('runs').select('traceparent').where('id', '=', run.id).executeTakeFirstOrThrow();
    assert.equal(stored.traceparent, null);
    assert.equal(target.requests.at(-1)!.traceparent, undefined);
    await node.stop();
    assert.equal(otlp.spans.length, before);
  });
});

async function makeNodeRun(node: TestNode, name: string) {
  const run = await node.start(name);
  return node.waitEnd(run.id);
}

for (const dialect of DIALECTS) {
  describe(`tracing through the API [${dialect}]`, () => {
    let otlp: OtlpReceiver;
    let server: Awaited<ReturnType<typeof startTestServer>>;
    const caller = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
    before(async () => {
      otlp = await startOtlpReceiver();
      server = await startTestServer({ dialect, config: { tracing: tracing(otlp) } });
    });
    after(async () => {
      await server?.close();
      await otlp.close();
    });

    test('a manual start with a traceparent puts the run in the caller\'s trace', async () => {
      const api = apiClient(server.url, server.adminToken);
      const name = uniqueName('api-traced');
      assert.equal((await api('POST', '/api/v1/automations', { json: { name, steps: [{ id: 'a', action: 'set', with: { x: 1 } }] } })).status, 201);
      const started = await api('POST', `/api/v1/automations/${name}/runs?wait=10s`, { json: {}, headers: { traceparent: `00-${caller.traceId}-${caller.spanId}-01` } });
      assert.equal(started.status, 201, started.text);
      assert.equal(started.body.status, 'succeeded');
      assert.equal(started.body.trace_id, caller.traceId, 'the run view names its trace');
      assert.equal((await api('GET', `/api/v1/runs/${started.body.id}`)).body.trace_id, caller.traceId);
      const plain = await api('POST', `/api/v1/automations/${name}/runs?wait=10s`, { json: {}, headers: { traceparent: 'not-a-traceparent' } });
      assert.equal(plain.status, 201, 'an invalid traceparent is ignored, not refused');
      await internalsOf(server.rota).flushTraces();
      const root = await runSpan(otlp, started.body.id);
      assert.equal(root.traceId, caller.traceId);
      assert.equal(root.parentSpanId, caller.spanId);
      const step = await eventually(() => otlp.spans.find((s) => s.traceId === caller.traceId && s.name === 'step a'));
      assert.equal(step.attributes['rota.step.outcome'], 'succeeded');
      const other = await runSpan(otlp, plain.body.id);
      assert.notEqual(other.traceId, caller.traceId);
      assert.equal(other.parentSpanId, null);
      assert.equal((await api('GET', `/api/v1/runs/${plain.body.id}`)).body.trace_id, other.traceId);
    });

    test('a webhook delivery with a traceparent puts its run in the sender\'s trace', async () => {
      const api = apiClient(server.url, server.adminToken);
      const name = uniqueName('hook-traced');
      const definition = { name, triggers: [{ id: 'in', type: 'webhook', verify: { scheme: 'none' } }], steps: [{ id: 'a', action: 'set', with: { x: 1 } }] };
      assert.equal((await api('POST', '/api/v1/automations', { json: definition })).status, 201);
      const view = (await api('GET', `/api/v1/automations/${name}`)).body;
      const path = view.triggers.find((t: { id: string }) => t.id === 'in').webhook_path;
      const sender = { traceId: 'a'.repeat(31) + '1', spanId: 'b'.repeat(15) + '2' };
      const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', traceparent: `00-${sender.traceId}-${sender.spanId}-01` }, body: '{"n":1}' });
      assert.equal(res.status, 202);
      const { runs } = (await res.json()) as { runs: { id: string }[] };
      await server.rota.runs.wait((await server.rota.workspaces.ensure('default')).id, runs[0]!.id, 5_000);
      await internalsOf(server.rota).flushTraces();
      const root = await runSpan(otlp, runs[0]!.id);
      assert.equal(root.traceId, sender.traceId);
      assert.equal(root.parentSpanId, sender.spanId);
      assert.equal(root.attributes['rota.trigger.kind'], 'webhook');
    });

    test('an event published with a traceparent starts runs in the publisher\'s trace', async () => {
      const api = apiClient(server.url, server.adminToken);
      const name = uniqueName('event-traced');
      const event = uniqueName('traced.event');
      const definition = { name, triggers: [{ id: 'on', type: 'event', name: event }], steps: [{ id: 'a', action: 'set', with: { x: 1 } }] };
      assert.equal((await api('POST', '/api/v1/automations', { json: definition })).status, 201);
      const publisher = { traceId: 'c'.repeat(31) + '3', spanId: 'd'.repeat(15) + '4' };
      const res = await api('POST', '/api/v1/events', { json: { name: event, data: { n: 1 } }, headers: { traceparent: `00-${publisher.traceId}-${publisher.spanId}-01` } });
      assert.equal(res.status, 202, res.text);
      const runId = res.body.runs[0].run_id as string;
      await server.rota.runs.wait((await server.rota.workspaces.ensure('default')).id, runId, 5_000);
      await internalsOf(server.rota).flushTraces();
      const root = await runSpan(otlp, runId);
      assert.equal(root.traceId, publisher.traceId);
      assert.equal(root.parentSpanId, publisher.spanId);
      assert.equal(root.attributes['rota.trigger.kind'], 'event');
      const plain = await api('POST', '/api/v1/events', { json: { name: event }, headers: { traceparent: 'garbage' } });
      assert.equal(plain.status, 202, 'an invalid traceparent is ignored');
      await server.rota.runs.wait((await server.rota.workspaces.ensure('default')).id, plain.body.runs[0].run_id as string, 5_000);
      await internalsOf(server.rota).flushTraces();
      assert.notEqual((await runSpan(otlp, plain.body.runs[0].run_id as string)).traceId, publisher.traceId);
    });
  });
}
