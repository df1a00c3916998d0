import type { Rota } from '../node/rota.js';
import type { ApiLogger } from './api-env.js';
import type { RunningApi } from './server.js';

export type { RunningApi };

export interface ServeRotaOptions {
  /** default: the node's `config.host` */
  host?: string;
  /** default: the node's `config.port`; 0 picks a free port */
  port?: number;
  /** receives unexpected errors (pino-compatible); default: one JSON line on stderr */
  logger?: ApiLogger;
}

/**
 * Serves an embedded node's REST API (`/api/v1`, the routes `rota serve` offers, without the web UI)
 * over HTTP, so `rota/client` and the CLI can talk to it. Resolves once the socket is bound;
 * `close()` stops listening (stop the node yourself). The body limit and default workspace come
 * from the node's config.
 *
 * @example
 * import { createRota, serveRota } from 'rota';
 * import { createClient } from 'rota/client';
 *
 * const rota = await createRota({ config: { dataDir: './.rota' } });
 * const { adminToken } = await rota.bootstrap(); // printed once, on a fresh database
 * await rota.start();
 * const api = await serveRota(rota, { host: '127.0.0.1', port: 0 });
 * const client = createClient({ url: api.url, token: adminToken! });
 * // ...
 * await api.close();
 * await rota.stop();
 */
export async function serveRota(rota: Rota, options: ServeRotaOptions = {}): Promise<RunningApi> {
  // Loaded on first use: an embedder that never serves does not load the HTTP stack.
  const { createApi, serveApi } = await import('./server.js');
  const { config } = rota;
  const app = createApi(rota, { maxBodyBytes: config.maxBodyBytes, defaultWorkspace: config.defaultWorkspace, logger: options.logger });
  return serveApi(app, { host: options.host ?? config.host, port: options.port ?? config.port });
}
