/**
 * Compile-time checks of `defineAutomation` (run by `tsc --noEmit` in `npm run lint`, never
 * executed): the good definitions must compile, and each `@ts-expect-error` line must stay an
 * error, or tsc fails with "Unused '@ts-expect-error' directive". Imports the root export's source (what `rota` resolves to), so lint needs no build.
 */
import { z } from 'zod';
import { createDefiner, defineAction, defineAutomation, type Definition } from '../../src/index.js';

// ---- good: built-in actions, templates in typed fields, every trigger kind
export const good: Definition = defineAutomation({
  name: 'typed-good',
  inputs: { type: 'object', properties: { n: { type: 'integer' } } },
  triggers: [
    { id: 'nightly', type: 'schedule', cron: '0 2 * * *', timezone: 'Europe/Berlin' },
    { id: 'hook', type: 'webhook', verify: { scheme: 'standard', secret: { env: 'HOOK_SECRET' } } },
  ],
  steps: [
    { id: 'get', action: 'http', with: { url: 'https://example.com', method: 'POST', expect_status: [200, 201], max_response_bytes: '{{ inputs.n }}' } },
    { id: 'wait', action: 'sleep', with: { duration: '2s' } },
    { id: 'until', action: 'sleep', with: { until: '{{ inputs.when }}' } },
    { id: 'keep', action: 'set', with: { anything: 1, at: 'all' } },
    { id: 'ask', action: 'approval', with: { message: 'Ship it?', timeout: '1h', on_timeout: 'reject' } },
    { id: 'think', action: 'agent', with: { prompt: 'Summarize {{ steps.get.output.body }}', max_turns: 3, budget: { max_cost_usd: 0.5 } } },
    { id: 'tell', action: 'emit_event', with: { name: 'done', data: { body: '{{ steps.get.output.body }}' } } },
    { id: 'child', action: 'run_automation', with: { automation: 'other', wait: true } },
    { id: 'hand', action: 'delegate', with: { url: 'https://agents.example.com', task: { goal: 'x' } } },
    { id: 'cmd', action: 'shell', with: { command: ['echo', 'hi'] }, needs: ['get'], retry: { max_retries: 2 } },
  ],
  execution: { timeout: '10m', on_failure: [{ id: 'alert', action: 'emit_event', with: { name: 'failed' } }] },
});

// ---- bad: each line below must stay a compile error
defineAutomation({
  name: 'typed-bad',
  steps: [
    // @ts-expect-error a misspelt with: field (urll)
    { id: 'a', action: 'http', with: { urll: 'https://example.com' } },
    // @ts-expect-error an http step needs with.url
    { id: 'b', action: 'http' },
    // @ts-expect-error an unknown action type
    { id: 'c', action: 'htp', with: { url: 'https://example.com' } },
    // @ts-expect-error a method outside the enum
    { id: 'd', action: 'http', with: { url: 'https://example.com', method: 'FETCH' } },
    // @ts-expect-error a number where the action wants a string (sleep duration), and no template
    { id: 'e', action: 'sleep', with: { duration: 5 } },
    // @ts-expect-error sleep takes duration or until, not both
    { id: 'f', action: 'sleep', with: { duration: '1s', until: '2030-01-01T00:00:00Z' } },
    // @ts-expect-error a plain string where a number goes is not a template
    { id: 'g', action: 'agent', with: { prompt: 'hi', max_turns: 'three' } },
  ],
  execution: {
    // @ts-expect-error on_failure steps are typed too
    on_failure: [{ id: 'x', action: 'emit_event', with: { nam: 'failed' } }],
  },
});

// @ts-expect-error steps are required
defineAutomation({ name: 'typed-no-steps' });

// ---- custom actions with zod configs
const lookup = defineAction({
  type: 'crm.lookup',
  description: 'Looks a customer up',
  config: z.object({ email: z.string(), fields: z.array(z.string()).default(['name']) }),
  output: z.object({ email: z.string() }),
  handler: async (ctx) => {
    const fields: string[] = ctx.config.fields; // the default applied: never undefined in the handler
    return { email: `${ctx.config.email}:${fields.length}` };
  },
});

export const viaDefiner = createDefiner([lookup]).defineAutomation({
  name: 'typed-custom',
  steps: [
    { id: 'a', action: 'crm.lookup', with: { email: 'ada@example.com' } },
    { id: 'b', action: 'http', with: { url: 'https://example.com' } },
  ],
});

export const viaTypeArgument = defineAutomation<[typeof lookup]>({
  name: 'typed-custom-2',
  steps: [{ id: 'a', action: 'crm.lookup', with: { email: '{{ inputs.email }}', fields: ['name', 'plan'] } }],
});

createDefiner([lookup]).defineAutomation({
  name: 'typed-custom-bad',
  steps: [
    // @ts-expect-error a misspelt field of the custom action
    { id: 'a', action: 'crm.lookup', with: { emial: 'ada@example.com' } },
    // @ts-expect-error a wrong type in the custom action's with:
    { id: 'b', action: 'crm.lookup', with: { email: 'ada@example.com', fields: 'name' } },
  ],
});

defineAutomation({
  name: 'typed-custom-unknown',
  // @ts-expect-error without the custom action's type, crm.lookup is unknown
  steps: [{ id: 'a', action: 'crm.lookup', with: { email: 'ada@example.com' } }],
});

defineAction({
  type: 'bad.output',
  description: 'x',
  config: z.object({}),
  output: z.object({ ok: z.boolean() }),
  // @ts-expect-error the handler must return the output schema's type
  handler: async () => ({ ok: 'yes' }),
});
