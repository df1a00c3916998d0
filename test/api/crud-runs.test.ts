import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { type ApiCall, apiClient, createGateAction, readSse, startTestServer, type TestServer } from './harness.js';
import { DIALECTS, eventually } from '../support/node.js';

const hello = {
  name: 'hello',
  description: 'greets someone',
  inputs: { type: 'object', properties: { who: { type: 'string', default: 'world' } } },
  steps: [{ id: 'greet', action: 'set', with: { text: 'hello {{ inputs.who }}' } }],
};

const helloYaml = `
name: hello-yaml
steps:
  - id: greet
    action: set
    with: { text: "hi" }
`;

const gated = (key: string) => ({ name: `gated-${key}`, steps: [{ id: 'hold', action: 'gate', with: { key } }] });

function assertErrorShape(body: any, code: string): void {
  assert.equal(typeof body?.error?.message, 'string', JSON.stringify(body));
  assert.equal(body.error.code, code, JSON.stringify(body));
  assert.ok('details' in body.error);
}

for (const dialect of DIALECTS) {
  describe(`api: automations and runs (${dialect})`, () => {
    let server: TestServer;
    let api: ApiCall;
    const gate = createGateAction();

    before(async () => {
      server = await startTestServer({ dialect, actions: [gate.action] });
      api = apiClient(server.url, server.adminToken);
    });
    after(async () => server?.close());

    test('probes and the OpenAPI document answer without a token', async () => {
      const anon = apiClient(server.url, null);
      assert.equal((await anon('GET', '/healthz')).status, 200);
      const ready = await anon('GET', '/readyz');
      assert.equal(ready.status, 200);
      assert.equal(ready.body.ok, true);
      const doc = await anon('GET', '/api/openapi.json');
      assert.equal(doc.status, 200);
      assert.equal(doc.body.openapi, '3.1.0');
      assert.ok(doc.body.paths['/api/v1/automations/{name}/runs'].post);
      assert.ok(doc.body.paths['/api/v1/automations'].post.requestBody, 'the definition body is documented');
      assert.ok(doc.body.components.schemas.Run);
    });

    test('creates automations from JSON and YAML; a second create is 409', async () => {
      const created = await api('POST', '/api/v1/automations', { json: hello });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.body.name, 'hello');
      assert.equal(created.body.version, 1);
      assert.equal(created.body.source, 'api');
      const again = await api('POST', '/api/v1/automations', { json: hello });
      assert.equal(again.status, 409);
      assertErrorShape(again.body, 'conflict');
      const yaml = await api('POST', '/api/v1/automations', { body: helloYaml, headers: { 'content-type': 'application/yaml' } });
      assert.equal(yaml.status, 201, yaml.text);
      assert.equal(yaml.body.name, 'hello-yaml');
      const got = await api('GET', '/api/v1/automations/hello-yaml');
      assert.equal(got.status, 200);
      assert.equal(got.body.definition.steps[0].id, 'greet');
      const list = await api('GET', '/api/v1/automations');
      assert.deepEqual(list.body.items.map((a: any) => a.name).sort(), ['hello', 'hello-yaml']);
    });

    test('an invalid definition is 400 with JSON paths; malformed JSON and YAML say where', async () => {
      const bad = await api('POST', '/api/v1/automations', { json: { name: 'bad', bogus: 1, steps: [{ id: 'a', action: 'no-such-action' }] } });
      assert.equal(bad.status, 400);
      assertErrorShape(bad.body, 'definition_invalid');
      const paths = bad.body.error.details.map((d: any) => d.path);
      assert.ok(paths.length > 0 && paths.every((p: unknown) => typeof p === 'string' && p.startsWith('$')), JSON.stringify(paths));
      const malformed = await api('POST', '/api/v1/automations', { body: '{"name": "x",\n "steps": [}', headers: { 'content-type': 'application/json' } });
      assert.equal(malformed.status, 400);
      assertErrorShape(malformed.body, 'invalid_request');
      assert.match(malformed.body.error.message, /line 2 column/);
      const badYaml = await api('POST', '/api/v1/automations', { body: 'name: [unclosed\n', headers: { 'content-type': 'text/yaml' } });
      assert.equal(badYaml.status, 400);
      const validate = await api('POST', '/api/v1/automations/validate', { json: hello });
      assert.deepEqual([validate.status, validate.body], [200, { valid: true }]);
      const invalid = await api('POST', '/api/v1/automations/validate', { json: { name: 'x' } });
      assert.equal(invalid.status, 400);
      assertErrorShape(invalid.body, 'definition_invalid');
      assert.equal((await api('GET', '/api/v1/automations/bad')).status, 404);
    });

    test('PUT: a change makes version N+1; an unchanged apply creates nothing; names must match', async () => {
      const changed = await api('PUT', '/api/v1/automations/hello', { json: { ...hello, description: 'greets anyone' } });
      assert.equal(changed.status, 200, changed.text);
      assert.equal(changed.body.version, 2);
      const same = await api('PUT', '/api/v1/automations/hello', { json: { ...hello, description: 'greets anyone' } });
      assert.equal(same.status, 200);
      assert.equal(same.body.version, 2);
      const versions = await api('GET', '/api/v1/automations/hello/versions');
      assert.deepEqual(versions.body.items.map((v: any) => v.version).sort(), [1, 2]);
      const v1 = await api('GET', '/api/v1/automations/hello/versions/1');
      assert.equal(v1.body.definition.description, 'greets someone');
      assert.equal((await api('GET', '/api/v1/automations/hello/versions/9')).status, 404);
      const mismatch = await api('PUT', '/api/v1/automations/hello', { json: { ...hello, name: 'other' } });
      assert.equal(mismatch.status, 400);
      assert.equal(mismatch.body.error.details[0].path, '$.name');
      const createdByPut = await api('PUT', '/api/v1/automations/hello-put', { json: { ...hello, name: undefined } });
      assert.equal(createdByPut.status, 201, createdByPut.text);
    });

    test('pause, resume and archive', async () => {
      assert.equal((await api('POST', '/api/v1/automations/hello-put/pause')).body.status, 'paused');
      assert.equal((await api('POST', '/api/v1/automations/hello-put/resume')).body.status, 'active');
      assert.equal((await api('POST', '/api/v1/automations/hello-put/archive')).body.status, 'archived');
      const archived = await api('GET', '/api/v1/automations?status=archived');
      assert.deepEqual(archived.body.items.map((a: any) => a.name), ['hello-put']);
    });

    test('runs: inputs, defaults, wait, detail with steps', async () => {
      const run = await api('POST', '/api/v1/automations/hello/runs?wait=20s', { json: { inputs: { who: 'ann' } } });
      assert.equal(run.status, 201, run.text);
      assert.equal(run.body.status, 'succeeded', run.text);
      assert.equal(run.body.version, 2);
      const detail = await api('GET', `/api/v1/runs/${run.body.id}`);
      assert.equal(detail.body.steps[0].output.text, 'hello ann');
      const defaults = await api('POST', '/api/v1/automations/hello/runs?wait=20s', { body: '', headers: { 'content-type': 'application/json' } });
      assert.equal(defaults.status, 201, defaults.text);
      assert.equal(defaults.body.inputs.who, 'world');
      const badWait = await api('POST', '/api/v1/automations/hello/runs?wait=6m', { json: {} });
      assert.equal(badWait.status, 400);
      const badInputs = await api('POST', '/api/v1/automations/hello/runs', { json: { inputs: { who: 5 } } });
      assert.equal(badInputs.status, 400, badInputs.text);
      const list = await api('GET', '/api/v1/runs?automation=hello&status=succeeded,failed&limit=1');
      assert.equal(list.status, 200);
      assert.equal(list.body.items.length, 1);
      assert.equal(list.body.total, 2);
      assert.ok(list.body.next_cursor);
      const next = await api('GET', `/api/v1/runs?automation=hello&status=succeeded,failed&limit=1&cursor=${encodeURIComponent(list.body.next_cursor)}`);
      assert.notEqual(next.body.items[0].id, list.body.items[0].id);
      const events = await api('GET', `/api/v1/runs/${run.body.id}/events?after=0`);
      assert.ok(events.body.items.length >= 2);
      assert.ok(events.body.items.some((e: any) => e.type === 'run.succeeded'));
    });

    test('Idempotency-Key: 201 then 200 with the same run, whatever the inputs', async () => {
      const headers = { 'idempotency-key': 'order-42' };
      const first = await api('POST', '/api/v1/automations/hello/runs', { json: { inputs: { who: 'a' } }, headers });
      assert.equal(first.status, 201);
      const replay = await api('POST', '/api/v1/automations/hello/runs', { json: { inputs: { who: 'b' } }, headers });
      assert.equal(replay.status, 200);
      assert.equal(replay.body.id, first.body.id);
      assert.equal(replay.body.inputs.who, 'a');
    });

    test('cancel a run in flight; report as JSON and Markdown', async () => {
      assert.equal((await api('POST', '/api/v1/automations', { json: gated('c1') })).status, 201);
      const run = await api('POST', '/api/v1/automations/gated-c1/runs', { json: {} });
      await eventually(async () => ((await api('GET', `/api/v1/runs/${run.body.id}`)).body.status === 'running' ? true : undefined), 5_000, 'running');
      const canceled = await api('POST', `/api/v1/runs/${run.body.id}/cancel`);
      assert.equal(canceled.status, 200, canceled.text);
      await eventually(async () => ((await api('GET', `/api/v1/runs/${run.body.id}`)).body.status === 'canceled' ? true : undefined), 5_000, 'canceled');
      const report = await api('GET', `/api/v1/runs/${run.body.id}/report`);
      assert.equal(report.status, 200);
      assert.equal(report.body.run.id, run.body.id);
      const markdown = await api('GET', `/api/v1/runs/${run.body.id}/report?format=markdown`);
      assert.match(markdown.headers.get('content-type') ?? '', /text\/markdown/);
      assert.ok(markdown.text.includes('gated-c1'), markdown.text);
      const byAccept = await api('GET', `/api/v1/runs/${run.body.id}/report`, { headers: { accept: 'text/markdown' } });
      assert.equal(byAccept.text, markdown.text);
      const replayed = await api('POST', `/api/v1/runs/${run.body.id}/replay`, { json: {} });
      assert.equal(replayed.status, 201, replayed.text);
      assert.equal(replayed.body.replay_of, run.body.id);
      await api('POST', `/api/v1/runs/${replayed.body.id}/cancel`);
    });

    test('SSE stream: replays, follows live and ends after the terminal event', async () => {
      assert.equal((await api('POST', '/api/v1/automations', { json: gated('s1') })).status, 201);
      const run = await api('POST', '/api/v1/automations/gated-s1/runs', { json: {} });
      const headers = { authorization: `Bearer ${server.adminToken}` };
      const streamed = readSse(`${server.url}/api/v1/runs/${run.body.id}/stream`, headers);
      await eventually(async () => ((await api('GET', `/api/v1/runs/${run.body.id}`)).body.status === 'running' ? true : undefined), 5_000, 'running');
      gate.open('s1');
      const { status, events } = await streamed;
      assert.equal(status, 200);
      const seqs = events.map((e) => Number(e.id));
      assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
      assert.equal(new Set(seqs).size, seqs.length);
      assert.equal(events.at(-1)?.event, 'run.succeeded');
      assert.ok(events.some((e) => e.event === 'step.succeeded'));
      assert.equal(JSON.parse(events[0].data).seq, seqs[0]);
      // resuming after the second event replays only what followed
      const resumed = await readSse(`${server.url}/api/v1/runs/${run.body.id}/stream`, { ...headers, 'last-event-id': String(seqs[1]) });
      assert.deepEqual(resumed.events.map((e) => Number(e.id)), seqs.slice(2));
    });

    test('events: 202, then 200 duplicate for a repeated id; listed', async () => {
      const first = await api('POST', '/api/v1/events', { json: { name: 'invoice.overdue', data: { n: 1 }, id: 'ev-1' } });
      assert.equal(first.status, 202, first.text);
      const dup = await api('POST', '/api/v1/events', { json: { name: 'invoice.overdue', data: { n: 1 }, id: 'ev-1' } });
      assert.equal(dup.status, 200);
      assert.equal(dup.body.duplicate, true);
      const list = await api('GET', '/api/v1/events');
      assert.ok(list.body.items.some((e: any) => e.name === 'invoice.overdue'));
    });

    test('catalog lists actions with schemas; unknown routes and big bodies get the error shape', async () => {
      const catalog = await api('GET', '/api/v1/catalog/actions');
      const set = catalog.body.items.find((a: any) => a.type === 'set');
      assert.ok(set && set.config_schema);
      assert.ok(catalog.body.items.some((a: any) => a.type === 'gate'));
      const missing = await api('GET', '/api/v1/nope');
      assert.equal(missing.status, 404);
      assertErrorShape(missing.body, 'not_found');
      const big = await api('POST', '/api/v1/events', { json: { name: 'x', data: 'y'.repeat(server.config.maxBodyBytes) } });
      assert.equal(big.status, 413);
      assertErrorShape(big.body, 'payload_too_large');
    });
  });
}
