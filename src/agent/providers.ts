/**
 * LLM providers through the AI SDK: `openai_compatible` (OpenAI, Ollama, vLLM, LM Studio,
 * OpenRouter, ...) and `anthropic`. A step names a model alias from the configuration (`default`)
 * or `provider:model`; the alias carries the price used by the cost ledger.
 */
import type { LanguageModel } from 'ai';
import type { ModelPrice, ProviderConfig, RotaConfig } from '../config/types.js';
import { ErrorCode, NonRetriableError } from '../errors.js';

export interface ResolvedModel {
  /** `provider:model` */
  ref: string;
  provider: string;
  modelId: string;
  price: ModelPrice | null;
  /** loaded on first use: the provider SDKs cost ~25 MB of memory that nodes without agents never need */
  model: Promise<LanguageModel>;
}

export interface ModelResolver {
  resolve(name: string): ResolvedModel;
  /** Static check for definitions: null when `name` resolves, else why not. */
  problem(name: string): string | null;
}

type Config = Pick<RotaConfig, 'providers' | 'models'>;

export function createModelResolver(config: Config, env: NodeJS.ProcessEnv = process.env): ModelResolver {
  const cache = new Map<string, ResolvedModel>();
  const locate = (name: string): { ref: string; provider: string; modelId: string; price: ModelPrice | null } | string => {
    const alias = config.models[name];
    const ref = alias ? alias.model : name;
    const colon = ref.indexOf(':');
    if (colon <= 0) {
      const aliases = Object.keys(config.models);
      return `model "${name}" is not a configured alias${aliases.length ? ` (aliases: ${aliases.join(', ')})` : ' (no models are configured: add models: in rota.config.yaml)'} nor "provider:model"`;
    }
    const provider = ref.slice(0, colon);
    if (!config.providers[provider]) {
      const known = Object.keys(config.providers);
      return `provider "${provider}" of model "${name}" is not configured${known.length ? ` (providers: ${known.join(', ')})` : ' (no providers are configured: add providers: in rota.config.yaml)'}`;
    }
    const price = alias?.price ?? Object.values(config.models).find((m) => m.model === ref && m.price)?.price ?? null;
    return { ref, provider, modelId: ref.slice(colon + 1), price };
  };
  return {
    problem: (name) => {
      const found = locate(name);
      return typeof found === 'string' ? found : null;
    },
    resolve: (name) => {
      const hit = cache.get(name);
      if (hit) return hit;
      const found = locate(name);
      if (typeof found === 'string') throw new NonRetriableError(found, { code: ErrorCode.model_not_configured });
      const resolved = { ...found, model: languageModel(found.provider, config.providers[found.provider]!, found.modelId, env) };
      cache.set(name, resolved);
      return resolved;
    },
  };
}

function languageModel(name: string, provider: ProviderConfig, modelId: string, env: NodeJS.ProcessEnv): Promise<LanguageModel> {
  const apiKey = provider.apiKeyEnv ? env[provider.apiKeyEnv] : undefined;
  if (provider.apiKeyEnv && !apiKey) {
    throw new NonRetriableError(`provider "${name}": environment variable ${provider.apiKeyEnv} (its API key) is not set`, { code: ErrorCode.model_not_configured });
  }
  switch (provider.kind) {
    case 'openai_compatible':
      if (!provider.baseUrl) throw new NonRetriableError(`provider "${name}" needs base_url`, { code: ErrorCode.model_not_configured });
      return import('@ai-sdk/openai-compatible').then(({ createOpenAICompatible }) =>
        createOpenAICompatible({ name, baseURL: provider.baseUrl!, apiKey, headers: provider.headers, includeUsage: true })(modelId),
      );
    case 'anthropic':
      return import('@ai-sdk/anthropic').then(({ createAnthropic }) =>
        createAnthropic({ baseURL: provider.baseUrl ?? undefined, apiKey: apiKey ?? 'none', headers: provider.headers })(modelId),
      );
    default: {
      const never: never = provider.kind;
      throw new Error(`unknown provider kind ${String(never)}`);
    }
  }
}

/** USD for one call's tokens; 0 without a price. Cached input tokens are part of `input`. */
export function callCost(price: ModelPrice | null, tokens: { input: number; output: number; cached: number }): number {
  if (!price) return 0;
  const uncached = Math.max(0, tokens.input - tokens.cached);
  // a price given in code (createRota's config is a deep partial) may leave out `cached`: as the config file, it costs as input
  const cached = price.cached ?? price.input;
  return (uncached * price.input + tokens.cached * cached + tokens.output * price.output) / 1_000_000;
}
