/** `GET /events` lists with each event the runs its event triggers started (the events page links them). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient, type RotaClient } from '../../src/client/index.js';
import { DIALECTS, eventually } from '../support/node.js';
import { startTestServer, type TestServer } from './harness.js';

for (const dialect of DIALECTS) {
  describe(`GET /events with the runs they started [${dialect}]`, () => {
    let server: TestServer;
    let client: RotaClient;
    before(async () => {
      server = await startTestServer({ dialect });
      client = createClient({ url: server.url, token: server.adminToken });
      const steps = [{ id: 'a', action: 'set', with: { x: 1 } }];
      await client.automations.apply('on-paid', { name: 'on-paid', triggers: [{ id: 'paid', type: 'event', name: 'order.paid' }, { id: 'any', type: 'event', name: 'order.*' }], steps });
      await client.automations.apply('on-paid-too', { name: 'on-paid-too', triggers: [{ id: 'paid', type: 'event', name: 'order.paid' }], steps });
    });
    after(() => server?.close());

    test('each event lists the runs of the triggers it matched; one that matched none lists none', async () => {
      const paid = await client.events.emit('order.paid', { data: { order: 1 } });
      const shipped = await client.events.emit('order.shipped', { data: { order: 1 } });
      const nothing = await client.events.emit('invoice.sent');
      assert.equal(paid.runs?.length, 3);
      // settled first: the listed status is the run's current one, so it must hold still to compare
      const ended = new Set(['succeeded', 'failed', 'canceled', 'timed_out', 'skipped']);
      for (const r of [...paid.runs!, ...(shipped.runs ?? [])]) await eventually(async () => (ended.has((await client.runs.get(r.run_id)).status) ? true : undefined), 10_000, `run ${r.run_id} ended`);
      const page = await client.events.list({ limit: 10 });
      assert.deepEqual(page.items.map((e) => e.id), [nothing.id, shipped.id, paid.id]);
      const [listedNothing, listedShipped, listedPaid] = page.items;
      assert.equal(listedNothing!.runs, undefined);
      assert.deepEqual(listedShipped!.runs?.map((r) => [r.automation, r.trigger_id]), [['on-paid', 'any']]);
      const key = (r: { automation: string; trigger_id: string; run_id: string }) => `${r.automation}/${r.trigger_id}/${r.run_id}`;
      assert.deepEqual(listedPaid!.runs?.map(key).sort(), paid.runs!.map(key).sort());
      for (const r of listedPaid!.runs!) assert.equal(r.status, (await client.runs.get(r.run_id)).status);
    });

    test('a page of many events finds the runs of each, on every page', async () => {
      const emitted = [];
      for (let i = 0; i < 7; i++) emitted.push(await client.events.emit('order.paid', { data: { i } }));
      const first = await client.events.list({ name: 'order.paid', limit: 4 });
      const second = await client.events.list({ name: 'order.paid', limit: 4, cursor: first.next_cursor });
      const listed = [...first.items, ...second.items];
      for (const event of emitted) {
        const item = listed.find((e) => e.id === event.id);
        assert.ok(item, `event ${event.id} listed`);
        assert.deepEqual(item.runs?.map((r) => r.run_id).sort(), event.runs!.map((r) => r.run_id).sort());
      }
    });
  });
}
