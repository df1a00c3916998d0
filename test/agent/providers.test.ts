/** Provider checks (`rota doctor`), model resolution, and the stand-in's streaming through the AI SDK. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { streamText } from 'ai';
import { checkProviders } from '../../src/agent/provider-check.js';
import { callCost, createModelResolver } from '../../src/agent/providers.js';
import { startStandIn, type StandIn } from '../support/llm-stand-in.js';

describe('agent providers', () => {
  let llm: StandIn;
  before(async () => (llm = await startStandIn()));
  after(() => llm.close());

  test('doctor: a reachable provider passes; an unset key, a dead URL fail with a reason', async () => {
    const results = await checkProviders(
      {
        providers: {
          up: { kind: 'openai_compatible', baseUrl: llm.openaiBaseUrl, apiKeyEnv: null, headers: {} },
          claude: { kind: 'anthropic', baseUrl: llm.anthropicBaseUrl, apiKeyEnv: 'TEST_KEY', headers: {} },
          nokey: { kind: 'anthropic', baseUrl: null, apiKeyEnv: 'MISSING_KEY_VAR', headers: {} },
          down: { kind: 'openai_compatible', baseUrl: 'http://127.0.0.1:9/v1', apiKeyEnv: null, headers: {} },
        },
      },
      { TEST_KEY: 'k' },
      2_000,
    );
    const by = Object.fromEntries(results.map((r) => [r.name, r]));
    assert.equal(by.up!.ok, true, by.up!.detail);
    assert.equal(by.claude!.ok, true, by.claude!.detail);
    assert.equal(by.nokey!.ok, false);
    assert.match(by.nokey!.detail, /MISSING_KEY_VAR/);
    assert.equal(by.down!.ok, false);
  });

  test('aliases, provider:model, and clear errors for what is not configured', () => {
    const resolver = createModelResolver({
      providers: { p: { kind: 'openai_compatible', baseUrl: llm.openaiBaseUrl, apiKeyEnv: null, headers: {} } },
      models: { default: { model: 'p:m1', price: { input: 1, output: 2, cached: 0.5 } } },
    });
    assert.equal(resolver.resolve('default').ref, 'p:m1');
    assert.deepEqual(resolver.resolve('p:m1').price, { input: 1, output: 2, cached: 0.5 });
    assert.equal(resolver.resolve('p:other').price, null);
    assert.match(resolver.problem('q:m') ?? '', /provider "q"/);
    assert.match(resolver.problem('fast') ?? '', /not a configured alias/);
    assert.equal(callCost({ input: 1, output: 2, cached: 0.5 }, { input: 1_000_000, output: 1_000_000, cached: 500_000 }), 0.5 + 0.25 + 2);
    // a price given in code without `cached` (createRota's config is a deep partial) costs cached tokens as input
    assert.equal(callCost({ input: 1, output: 2 } as never, { input: 1_000_000, output: 1_000_000, cached: 500_000 }), 0.5 + 0.5 + 2);
  });

  for (const protocol of ['openai', 'anthropic'] as const) {
    test(`the stand-in streams (${protocol}): text, tool calls and usage through the AI SDK`, async () => {
      const resolver = createModelResolver({
        providers: { p: { kind: protocol === 'openai' ? 'openai_compatible' : 'anthropic', baseUrl: protocol === 'openai' ? llm.openaiBaseUrl : llm.anthropicBaseUrl, apiKeyEnv: null, headers: {} } },
        models: {},
      });
      llm.script([{ text: 'streamed hello world', usage: { input: 12, output: 4 } }]);
      const result = streamText({ model: await resolver.resolve('p:m').model, prompt: 'hi', maxRetries: 0 });
      let text = '';
      for await (const piece of result.textStream) text += piece;
      assert.equal(text, 'streamed hello world');
      const usage = await result.usage;
      assert.equal(usage.outputTokens, 4);
      assert.equal(llm.calls.at(-1)!.stream, true);
    });
  }
});
