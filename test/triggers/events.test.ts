/**
 * Event triggers against a real node (SQLite and PostgreSQL): name patterns, filters, dedupe by
 * event id, Rota's own events chaining automations (without self-loops), `emit_event` steps, and
 * the index following definition changes.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { apiClient, startTestServer, type ApiCall, type TestServer } from '../api/harness.js';
import { DIALECTS, eventually } from '../support/node.js';

const step = [{ id: 'a', action: 'set', with: { ok: true } }];

for (const dialect of DIALECTS) {
  describe(`event triggers (${dialect})`, () => {
    let server: TestServer;
    let api: ApiCall;

    before(async () => {
      server = await startTestServer({ dialect });
      api = apiClient(server.url, server.adminToken);
    });
    after(async () => server?.close());

    const runsOf = async (name: string) => (await api('GET', `/api/v1/runs?automation=${name}`)).body;

    test('disabling an event trigger through the API stops it at once; enabling restores it', async () => {
      const definition = { name: 'toggle-me', triggers: [{ id: 'on', type: 'event', name: 'toggle.ping' }], steps: step };
      assert.equal((await api('POST', '/api/v1/automations', { json: definition })).status, 201);
      assert.equal((await api('POST', '/api/v1/events', { json: { name: 'toggle.ping' } })).body.runs.length, 1);
      assert.equal((await api('POST', '/api/v1/automations/toggle-me/triggers/on/disable')).status, 200);
      assert.equal((await api('POST', '/api/v1/events', { json: { name: 'toggle.ping' } })).body.runs, undefined, 'no trigger listens');
      assert.equal((await api('POST', '/api/v1/automations/toggle-me/triggers/on/enable')).status, 200);
      assert.equal((await api('POST', '/api/v1/events', { json: { name: 'toggle.ping' } })).body.runs.length, 1);
    });

    test('wildcard names and filters select the triggers; inputs map the event data', async () => {
      const definition = {
        name: 'on-issue',
        inputs: { type: 'object', properties: { number: { type: 'integer' } }, required: ['number'] },
        triggers: [{ id: 'issues', type: 'event', name: 'issue.*', filter: { 'data.repo': 'acme/api' }, inputs: { number: '{{ data.number }}' } }],
        steps: step,
      };
      assert.equal((await api('POST', '/api/v1/automations', { json: definition })).status, 201);
      const hit = await api('POST', '/api/v1/events', { json: { name: 'issue.opened', data: { repo: 'acme/api', number: 5 } } });
      assert.equal(hit.status, 202, hit.text);
      assert.equal(hit.body.runs.length, 1);
      assert.equal(hit.body.runs[0].automation, 'on-issue');
      assert.equal(hit.body.runs[0].created, true);
      const run = await api('GET', `/api/v1/runs/${hit.body.runs[0].run_id}`);
      assert.deepEqual(run.body.inputs, { number: 5 });
      assert.equal(run.body.trigger_kind, 'event');
      assert.equal(run.body.activation.source, `event:${hit.body.id}`);

      const otherRepo = await api('POST', '/api/v1/events', { json: { name: 'issue.closed', data: { repo: 'acme/web', number: 6 } } });
      assert.equal(otherRepo.body.runs.length, 0);
      const deeper = await api('POST', '/api/v1/events', { json: { name: 'issue.comment.created', data: { repo: 'acme/api', number: 7 } } });
      assert.equal(deeper.body.runs, undefined, 'no trigger listens');
      const missingField = await api('POST', '/api/v1/events', { json: { name: 'issue.opened' } });
      assert.equal(missingField.status, 202, 'a missing field never matches and never errors');
      assert.equal((await runsOf('on-issue')).total, 1);
    });

    test('a trigger name the matcher would take literally (ord*, order.>) is refused at validate and apply with its path; order.* fires', async () => {
      for (const name of ['ord*', 'order.>', 'order.pa*', 'order.***']) {
        const definition = { name: 'bad-pattern', triggers: [{ id: 'm', type: 'manual' }, { id: 'e', type: 'event', name }], steps: step };
        for (const [method, path] of [['POST', '/api/v1/automations/validate'], ['POST', '/api/v1/automations'], ['PUT', '/api/v1/automations/bad-pattern']] as const) {
          const res = await api(method, path, { json: definition });
          assert.equal(res.status, 400, `${method} ${path} ${name}: ${res.text}`);
          assert.equal(res.body.error.code, 'definition_invalid');
          const detail = res.body.error.details.find((d: { path: string }) => d.path === '$.triggers[1].name');
          assert.ok(detail, res.text);
          assert.equal(detail.message.startsWith(`"${name}" is not an event name or pattern`), true, detail.message);
          assert.match(detail.message, /\* matches one segment \(order\.\* matches order\.created\), \*\* one or more/);
        }
      }
      assert.equal((await api('GET', '/api/v1/automations/bad-pattern')).status, 404, 'nothing was applied');
      const good = { name: 'good-pattern', triggers: [{ id: 'e', type: 'event', name: 'order.*' }], steps: step };
      assert.equal((await api('POST', '/api/v1/automations/validate', { json: good })).status, 200);
      assert.equal((await api('POST', '/api/v1/automations', { json: good })).status, 201);
      assert.equal((await api('POST', '/api/v1/events', { json: { name: 'order.created' } })).body.runs.length, 1);
    });

    test('a re-published event id creates no second run', async () => {
      const event = { name: 'issue.opened', id: 'evt-1', data: { repo: 'acme/api', number: 9 } };
      const first = await api('POST', '/api/v1/events', { json: event });
      assert.equal(first.status, 202);
      const again = await api('POST', '/api/v1/events', { json: event });
      assert.equal(again.status, 200);
      assert.equal(again.body.duplicate, true);
      assert.equal(again.body.id, first.body.id);
      assert.equal(again.body.runs[0].run_id, first.body.runs[0].run_id);
      assert.equal(again.body.runs[0].created, false);
      assert.equal((await runsOf('on-issue')).total, 2);
    });

    test('the index follows definition changes: new, changed, disabled and archived triggers', async () => {
      const listener = (name: string, enabled = true) => ({ name: 'late-listener', triggers: [{ id: 'e', type: 'event', name, enabled }], steps: step });
      assert.equal((await api('POST', '/api/v1/events', { json: { name: 'deploy.done' } })).body.runs, undefined);
      assert.equal((await api('POST', '/api/v1/automations', { json: listener('deploy.done') })).status, 201);
      assert.equal((await api('POST', '/api/v1/events', { json: { name: 'deploy.done' } })).body.runs.length, 1);
      await api('PUT', '/api/v1/automations/late-listener', { json: listener('deploy.started') });
      assert.equal((await api('POST', '/api/v1/events', { json: { name: 'deploy.done' } })).body.runs, undefined);
      assert.equal((await api('POST', '/api/v1/events', { json: { name: 'deploy.started' } })).body.runs.length, 1);
      await api('PUT', '/api/v1/automations/late-listener', { json: listener('deploy.started', false) });
      assert.equal((await api('POST', '/api/v1/events', { json: { name: 'deploy.started' } })).body.runs, undefined);
      await api('PUT', '/api/v1/automations/late-listener', { json: listener('deploy.started') });
      await api('POST', '/api/v1/automations/late-listener/archive');
      assert.equal((await api('POST', '/api/v1/events', { json: { name: 'deploy.started' } })).body.runs, undefined);
    });

    test('run.succeeded chains automations; an automation never triggers itself with its own run events', async () => {
      assert.equal((await api('POST', '/api/v1/automations', { json: { name: 'chain-a', steps: [{ id: 'a', action: 'set', with: { value: 42 } }] } })).status, 201);
      const b = {
        name: 'chain-b',
        inputs: { type: 'object', properties: { from: { type: 'string' }, value: { type: 'integer' } } },
        triggers: [{ id: 'after-a', type: 'event', name: 'run.succeeded', filter: { 'data.automation': 'chain-a' }, inputs: { from: '{{ data.run_id }}', value: '{{ data.output.value }}' } }],
        steps: step,
      };
      assert.equal((await api('POST', '/api/v1/automations', { json: b })).status, 201);
      // listens to every run.succeeded, its own included: must not loop
      const self = { name: 'chain-self', triggers: [{ id: 'any', type: 'event', name: 'run.*' }], steps: step };
      assert.equal((await api('POST', '/api/v1/automations', { json: self })).status, 201);

      const started = await api('POST', '/api/v1/automations/chain-a/runs?wait=10s', { json: { inputs: {} } });
      assert.equal(started.body.status, 'succeeded', started.text);
      const chained = await eventually(async () => {
        const page = await runsOf('chain-b');
        return page.total > 0 ? page.items[0] : undefined;
      }, 10_000, 'chain-b run');
      assert.deepEqual(chained.inputs, { from: started.body.id, value: 42 });
      assert.equal(chained.activation.data.depth, 1);
      // chain-self saw chain-a's and chain-b's run events (and no run of its own kind)
      await eventually(async () => ((await runsOf('chain-self')).total >= 2 ? true : undefined), 10_000, 'chain-self runs');
      await new Promise((resolve) => setTimeout(resolve, 500));
      const selfRuns = await runsOf('chain-self');
      assert.equal(selfRuns.total, 2, JSON.stringify(selfRuns.items.map((r: { activation: { data: { automation: string } } }) => r.activation.data.automation)));
    });

    test('emit_event steps trigger other automations; automation.paused is published', async () => {
      const producer = { name: 'producer', steps: [{ id: 'emit', action: 'emit_event', with: { name: 'order.placed', data: { order: 17 } } }] };
      const consumer = {
        name: 'consumer',
        inputs: { type: 'object', properties: { order: { type: 'integer' } } },
        triggers: [{ id: 'orders', type: 'event', name: 'order.placed', inputs: { order: '{{ data.order }}' } }],
        steps: step,
      };
      const watcher = { name: 'pause-watcher', triggers: [{ id: 'p', type: 'event', name: 'automation.paused' }], steps: step };
      for (const d of [producer, consumer, watcher]) assert.equal((await api('POST', '/api/v1/automations', { json: d })).status, 201);
      const run = await api('POST', '/api/v1/automations/producer/runs?wait=10s', { json: { inputs: {} } });
      assert.equal(run.body.status, 'succeeded', run.text);
      const consumed = await eventually(async () => {
        const page = await runsOf('consumer');
        return page.total > 0 ? page.items[0] : undefined;
      }, 10_000, 'consumer run');
      assert.deepEqual(consumed.inputs, { order: 17 });
      // the step's event id is stable: retrying the producer's step cannot publish it twice
      assert.equal((await api('GET', '/api/v1/events?name=order.placed')).body.total, 1);

      assert.equal((await api('POST', '/api/v1/automations/producer/pause')).status, 200);
      const paused = await eventually(async () => {
        const page = await runsOf('pause-watcher');
        return page.total > 0 ? page.items[0] : undefined;
      }, 10_000, 'pause-watcher run');
      assert.equal(paused.activation.data.automation, 'producer');
    });
  });
}
