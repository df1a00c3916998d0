/**
 * `rota doctor`: does each configured provider answer? Lists models (`GET /models`), which every
 * OpenAI-compatible server and Anthropic offer, costs nothing and proves URL and key.
 */
import type { ProviderConfig, RotaConfig } from '../config/types.js';

export interface ProviderCheck {
  name: string;
  ok: boolean;
  detail: string;
}

const ANTHROPIC_URL = 'https://api.anthropic.com/v1';

export async function checkProviders(config: Pick<RotaConfig, 'providers'>, env: NodeJS.ProcessEnv, timeoutMs = 5_000): Promise<ProviderCheck[]> {
  return Promise.all(Object.entries(config.providers).map(([name, provider]) => checkProvider(name, provider, env, timeoutMs)));
}

async function checkProvider(name: string, provider: ProviderConfig, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ProviderCheck> {
  const key = provider.apiKeyEnv ? env[provider.apiKeyEnv] : undefined;
  if (provider.apiKeyEnv && !key) return { name, ok: false, detail: `environment variable ${provider.apiKeyEnv} (API key) is not set` };
  const base = (provider.baseUrl ?? (provider.kind === 'anthropic' ? ANTHROPIC_URL : '')).replace(/\/+$/, '');
  if (!base) return { name, ok: false, detail: 'base_url is not set' };
  const headers: Record<string, string> = { ...provider.headers };
  if (key) {
    if (provider.kind === 'anthropic') headers['x-api-key'] = key;
    else headers.authorization = `Bearer ${key}`;
  }
  if (provider.kind === 'anthropic') headers['anthropic-version'] = '2023-06-01';
  try {
    const response = await fetch(`${base}/models`, { headers, signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    if (response.ok) return { name, ok: true, detail: `answers at ${base} (${provider.kind})` };
    const hint = response.status === 401 || response.status === 403 ? ' (check the API key)' : '';
    return { name, ok: false, detail: `${base}/models answered HTTP ${response.status}${hint}` };
  } catch (err) {
    return { name, ok: false, detail: `${base} unreachable: ${(err as Error).message}` };
  }
}
