import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { emitEventAction, type EmitEventConfig } from '../../src/actions/emit-event.js';
import { RotaError } from '../../src/errors.js';
import { InMemoryServices, makeContext } from './context.js';

describe('emit_event action', () => {
  test('publishes through the service with a per-step id', async () => {
    const services = new InMemoryServices();
    const ctx = makeContext<EmitEventConfig>({ config: { name: 'invoice.sent', data: { n: 1 } }, services });
    assert.deepEqual(await emitEventAction.handler(ctx), { id: 'run_1:step_1', duplicate: false });
    assert.deepEqual(services.events, [{ name: 'invoice.sent', data: { n: 1 }, id: 'run_1:step_1' }]);
  });

  test('a re-executed step (even a later attempt) does not publish twice', async () => {
    const services = new InMemoryServices();
    const config = { name: 'invoice.sent' };
    await emitEventAction.handler(makeContext<EmitEventConfig>({ config, services, attempt: 1 }));
    const again = await emitEventAction.handler(makeContext<EmitEventConfig>({ config, services, attempt: 2, idempotencyKey: 'run_1:step_1:2' }));
    assert.deepEqual(again, { id: 'run_1:step_1', duplicate: true });
    assert.equal(services.events.length, 1);
  });

  test('an explicit id is used as is', async () => {
    const ctx = makeContext<EmitEventConfig>({ config: { name: 'a', id: 'order-42' } });
    assert.deepEqual(await emitEventAction.handler(ctx), { id: 'order-42', duplicate: false });
  });

  test('an invalid name fails without publishing', async () => {
    const ctx = makeContext<EmitEventConfig>({ config: { name: 'Has Spaces' } });
    await assert.rejects(emitEventAction.handler(ctx), (err: unknown) => err instanceof RotaError && /not an event name/.test(err.message));
    assert.equal(ctx.services.events.length, 0);
  });
});
