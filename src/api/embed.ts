/**
 * Mounting a node's API inside the host application's own HTTP server: as a Hono app or as a
 * standard fetch handler. The HTTP stack is loaded on first call, as `serveRota` does.
 */
import type { Hono } from 'hono';
import { ValidationError } from '../errors.js';
import type { Rota } from '../node/rota.js';
import type { ApiLogger } from './api-env.js';

export interface RotaAppOptions {
  /**
   * The path the API lives under in the host, e.g. `/rota` (then `/rota/api/v1/...`,
   * `/rota/hooks/...`, `/rota/healthz`). Default: none (the routes at the root). A host Hono app
   * that mounts with `host.route('/rota', app)` leaves this out: `route` adds the prefix itself.
   */
  basePath?: string;
  /** receives unexpected errors (pino-compatible); default: the node's logger */
  logger?: ApiLogger;
}

/** A Web-standard request handler, as `Bun.serve`, Deno, Cloudflare-style runtimes and `@hono/node-server` take. */
export type RotaFetchHandler = (request: Request) => Promise<Response>;

const BASE_PATH = /^(\/[A-Za-z0-9._~-]+)+$/;

/**
 * The node's HTTP API — REST (`/api/v1`, `/api/openapi.json`), webhooks (`/hooks/...`), health
 * and metrics — as a Hono app the host mounts in its own app. Body limit and default workspace
 * come from the node's config. Start and stop the node yourself.
 *
 * @example
 * import { Hono } from 'hono';
 * import { createRota, rotaApp } from 'rota';
 *
 * const rota = await createRota({ config: { dataDir: './.rota' } });
 * await rota.bootstrap();
 * await rota.start();
 * const host = new Hono();
 * host.get('/', (c) => c.text('my app'));
 * host.route('/rota', await rotaApp(rota)); // POST /rota/hooks/default/<endpoint_id>, GET /rota/api/v1/runs, ...
 */
export async function rotaApp(rota: Rota, options: RotaAppOptions = {}): Promise<Hono<any>> {
  const basePath = checkBasePath(options.basePath);
  const [{ Hono: HonoApp }, { createApi }, { notFoundHandler }] = await Promise.all([import('hono'), import('./server.js'), import('./errors.js')]);
  const { config } = rota;
  const api = createApi(rota, { maxBodyBytes: config.maxBodyBytes, defaultWorkspace: config.defaultWorkspace, logger: options.logger ?? rota.logger, basePath });
  if (basePath === '') return api as unknown as Hono<any>;
  const outer = new HonoApp();
  outer.notFound(notFoundHandler);
  outer.route(basePath, api);
  return outer;
}

/**
 * The node's HTTP API (see {@link rotaApp}) as a fetch handler, `(request) => Promise<Response>`.
 * With `basePath`, requests are expected under it (the host forwards `/rota/...` unchanged); any
 * other path is answered 404 in Rota's error shape.
 *
 * @example
 * import { createServer } from 'node:http';
 * import { getRequestListener } from '@hono/node-server';
 * import { createRota, rotaFetchHandler } from 'rota';
 *
 * const rota = await createRota({ config: { dataDir: './.rota' } });
 * await rota.bootstrap();
 * await rota.start();
 * const handle = await rotaFetchHandler(rota, { basePath: '/rota' });
 * const rotaListener = getRequestListener(handle);
 * createServer((req, res) => {
 *   if (req.url?.startsWith('/rota/')) return rotaListener(req, res);
 *   res.end('my app');
 * }).listen(3000);
 */
export async function rotaFetchHandler(rota: Rota, options: RotaAppOptions = {}): Promise<RotaFetchHandler> {
  const app = await rotaApp(rota, options);
  return async (request) => app.fetch(request);
}

function checkBasePath(basePath: string | undefined): string {
  if (basePath === undefined || basePath === '' || basePath === '/') return '';
  const trimmed = basePath.replace(/\/+$/, '');
  if (!BASE_PATH.test(trimmed)) {
    throw new ValidationError(`invalid basePath "${basePath}": expected a path such as /rota (segments of letters, digits, . _ ~ -; no wildcards or parameters)`, [
      { path: 'basePath', message: 'expected /segment[/segment...]' },
    ]);
  }
  return trimmed;
}
