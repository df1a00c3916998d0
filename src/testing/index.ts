/**
 * `rota/testing`: test your automations in your own test suite, on the real engine.
 *
 * - `createTestRota({ clock?, llm?, config?, actions?, tools? })`: a started node on a temp SQLite
 *   database (deleted on `stop()`), with a fake clock (`advance(ms)` fires schedules
 *   deterministically) and an optional scripted LLM as the `default` model;
 * - `FakeClock`: the clock it uses, for a node you build yourself with `createRota({ clock })`;
 * - `startLlmStandIn()`: the scripted LLM on its own (OpenAI and Anthropic wire protocols);
 * - `internalsOf(rota)`: a node's store, worker and scheduler, for tools and engine tests.
 *
 * @example
 * import { createTestRota } from 'rota/testing';
 *
 * const t = await createTestRota({ llm: [{ text: '{"label":"bug"}' }] });
 * await t.apply({ name: 'triage', steps: [{ id: 'ask', action: 'agent', with: { model: 'default', prompt: 'Label it' } }] });
 * const run = await t.run('triage');
 * await t.stop();
 */
export { createTestRota, type CreateTestRotaOptions, type TestRota, type WaitOptions } from './test-rota.js';
export { FakeClock } from './fake-clock.js';
export { startLlmStandIn, type LlmStandIn, type LlmReply, type LlmRequest, type LlmScript } from './llm-stand-in.js';
export { internalsOf, type RotaInternals } from '../node/internals.js';
export type { FireRequest, FireResult } from '../engine/fire.js';
