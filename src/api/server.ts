/**
 * The REST API (SPEC §8): one OpenAPIHono app over a {@link RotaService}. Routes live per domain in
 * `routes/`; authentication in `auth.ts`; every error leaves through `errors.ts`.
 *
 * @example
 * const app = createApi(rota, { maxBodyBytes: config.maxBodyBytes, defaultWorkspace: config.defaultWorkspace });
 * const server = await serveApi(app, { host: '127.0.0.1', port: 7070 });
 * // ... later
 * await server.close();
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import { serve } from '@hono/node-server';
import { bodyLimit } from 'hono/body-limit';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ErrorCode, RotaError } from '../errors.js';
import type { RotaService } from '../node/service.js';
import type { ApiEnv, ApiLogger } from './api-env.js';
import { authenticate } from './auth.js';
import { finishDocument, type OpenApiDocument } from './openapi-document.js';
import { notFoundHandler, onErrorHandler, validationHook } from './errors.js';
import { approvalRoutes } from './routes/approvals.js';
import { agentRoutes } from './routes/agent.js';
import { automationRoutes } from './routes/automations.js';
import { automationStatsRoutes } from './routes/automation-stats.js';
import { callbackRoutes } from './routes/callbacks.js';
import { catalogRoutes } from './routes/catalog.js';
import { costRoutes } from './routes/costs.js';
import { eventRoutes } from './routes/events.js';
import { hookRoutes } from './routes/hooks.js';
import { webhookRoutes } from './routes/webhooks.js';
import { runRoutes } from './routes/runs.js';
import { runBulkRoutes } from './routes/runs-bulk.js';
import { saveRunRoutes } from './routes/save-run.js';
import { retentionRoutes } from './routes/retention.js';
import { scheduleRoutes } from './routes/schedules.js';
import { systemRoutes } from './routes/system.js';
import { metricsRoutes } from './routes/metrics.js';
import { tokenRoutes } from './routes/tokens.js';
import { secretRoutes } from './routes/secrets.js';
import { workspaceRoutes } from './routes/workspaces.js';
import { mcpEndpoint } from '../mcp/http.js';
import { webUi } from './web-ui.js';

export type { ApiLogger } from './api-env.js';

export interface ApiOptions {
  /** request body limit in bytes; larger bodies get 413 */
  maxBodyBytes: number;
  /** the workspace an admin token acts in without an `X-Rota-Workspace` header */
  defaultWorkspace: string;
  /** receives unexpected errors (pino-compatible); default: one JSON line on stderr */
  logger?: ApiLogger;
  /** where the host mounts the app (`/rota`); only the OpenAPI document's server URL uses it */
  basePath?: string;
  /** the built web UI (`findWebRoot()`), served at `/`; absent: no UI (`GET /` is a 404) */
  webRoot?: string | null;
}

const stderrLogger: ApiLogger = {
  error(data, message) {
    const err = data.err instanceof Error ? { name: data.err.name, message: data.err.message, stack: data.err.stack } : data.err;
    process.stderr.write(`${JSON.stringify({ level: 'error', time: new Date().toISOString(), msg: message, ...data, err })}\n`);
  },
};

export function createApi(rota: RotaService, opts: ApiOptions): OpenAPIHono<ApiEnv> {
  const logger = opts.logger ?? stderrLogger;
  const app = new OpenAPIHono<ApiEnv>({ defaultHook: validationHook(logger) });
  app.onError(onErrorHandler(logger));
  app.notFound(notFoundHandler);
  // authentication first: an unauthenticated client's body is never read
  // delegation callbacks carry their own one-time token: mounted before the bearer middleware
  app.route('/api/v1', callbackRoutes(rota, opts.maxBodyBytes));
  app.use('/api/v1/*', authenticate(rota, opts.defaultWorkspace));
  const limit = bodyLimit({
    maxSize: opts.maxBodyBytes,
    onError: () => {
      throw new RotaError(ErrorCode.payload_too_large, `request body exceeds ${opts.maxBodyBytes} bytes`, { details: { max_bytes: opts.maxBodyBytes } });
    },
  });
  app.use('/api/v1/*', limit);
  // MCP over streamable HTTP (mcp/http.ts): stateless, its tools call this same app in process
  const mcp = mcpEndpoint({ api: (request) => app.fetch(request) });
  app.use('/mcp', limit);
  app.all('/mcp', (c) => mcp(c.req.raw));
  app.route('/', systemRoutes(rota, logger));
  app.route('/', metricsRoutes(rota, opts.defaultWorkspace));
  // webhook senders authenticate by their trigger's scheme, not by a bearer token
  app.route('/', hookRoutes(rota));
  app.route('/api/v1', webhookRoutes(rota));
  for (const routes of [automationRoutes(rota), automationStatsRoutes(rota), runRoutes(rota, logger), runBulkRoutes(rota), saveRunRoutes(rota), eventRoutes(rota), tokenRoutes(rota), secretRoutes(rota), workspaceRoutes(rota), catalogRoutes(rota), approvalRoutes(rota), scheduleRoutes(rota), agentRoutes(rota), costRoutes(rota), retentionRoutes(rota)]) {
    app.route('/api/v1', routes);
  }
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', description: 'rota_... token' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'callbackToken', { type: 'http', scheme: 'bearer', description: 'rcb_... one-time delegation callback token' });
  // One document per mount prefix, read off the request: right under `basePath`, and also when a
  // host routes the app under a prefix of its own (`host.route('/rota', app)`).
  const documents = new Map<string, OpenApiDocument>();
  const DOC_PATH = '/api/openapi.json';
  app.get(DOC_PATH, (c) => {
    const path = new URL(c.req.url).pathname;
    const prefix = path.endsWith(DOC_PATH) ? path.slice(0, -DOC_PATH.length) : (opts.basePath ?? '');
    let document = documents.get(prefix);
    if (!document) {
      document = finishDocument(
        app.getOpenAPI31Document({
          openapi: '3.1.0',
          info: { title: 'Rota API', version: '1', description: 'Durable automations: definitions, runs, events, tokens.' },
          security: [{ bearer: [] }],
        }) as unknown as OpenApiDocument,
        [{ url: `${prefix}/`, description: 'this Rota server' }],
      );
      if (documents.size < 16) documents.set(prefix, document);
    }
    return c.json(document);
  });
  if (opts.webRoot) {
    // last: every API route above answers first; the UI takes only the paths they leave
    const ui = webUi(opts.webRoot);
    app.on(['GET', 'HEAD'], '*', async (c, next) => {
      const response = ui(c);
      if (response) return response;
      await next();
    });
  }
  return app;
}

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** Listens on host:port (port 0 picks a free one) and resolves once the socket is bound. */
export function serveApi(app: { fetch: (request: Request) => Response | Promise<Response> }, opts: { host: string; port: number }): Promise<RunningApi> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: opts.host, port: opts.port }, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({ url: `http://${host}:${info.port}`, close: () => closeServer(server as Server) });
    });
    server.once('error', reject);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    // open event streams and keep-alive sockets would otherwise hold close() forever
    server.closeAllConnections();
  });
}
