import type { Command } from 'commander';
import type { RotaConfig } from '../../config/types.js';
import type { Rota } from '../../node/rota.js';
import { ExitError, type Io } from '../context.js';
import { configFrom, withConfigOptions, type ConfigOptions } from '../config-options.js';
import { loadAndWatch, type DefinitionWatcher } from '../watch.js';

interface ServeOptions extends ConfigOptions {
  port?: string;
  host?: string;
  watch?: string;
  worker?: boolean;
  scheduler?: boolean;
  logFormat?: string;
  logLevel?: string;
}

export function registerServe(program: Command, io: Io): void {
  withConfigOptions(program.command('serve').description('run a Rota node: API, scheduler and workers'))
    .option('--port <port>', 'listen port; 0 picks a free one (env ROTA_PORT, default 7070)')
    .option('--host <host>', 'listen address (env ROTA_HOST, default 127.0.0.1)')
    .option('--watch <dir>', 'apply definition files from this directory and re-apply them on change (env ROTA_WATCH_DIR)')
    .option('--no-worker', 'do not execute runs on this node (env ROTA_WORKER=0)')
    .option('--no-scheduler', 'do not fire schedule triggers on this node (env ROTA_SCHEDULER=0)')
    .option('--log-format <format>', 'json (lines) or pretty (env ROTA_LOG_FORMAT; default: pretty on a terminal, else json)')
    .option('--log-level <level>', 'debug, info, warn, error or silent (env ROTA_LOG_LEVEL, default info)')
    .action(async (options: ServeOptions) => {
      const config = configFrom(io, options, {
        port: options.port,
        host: options.host,
        watchDir: options.watch,
        logFormat: options.logFormat as RotaConfig['logFormat'] | undefined,
        logLevel: options.logLevel as RotaConfig['logLevel'] | undefined,
        ...(options.worker === false ? { worker: { enabled: false } } : {}),
        ...(options.scheduler === false ? { scheduler: { enabled: false } } : {}),
      });
      await serve(io, config);
    });
}

/** Runs until SIGTERM or SIGINT, then shuts down gracefully (`rota serve` and `rota dev`). */
export async function serve(io: Io, config: RotaConfig): Promise<void> {
  // Loaded on demand so that the client commands start without the engine and database drivers.
  const { createRota } = await import('../../node/rota.js');
  const { createApi, serveApi } = await import('../../api/server.js');
  const { findWebRoot } = await import('../../api/web-ui.js');
  const rota = await createRota({ config });
  const { adminToken } = await rota.bootstrap();
  const workspace = await rota.workspaces.ensure(config.defaultWorkspace);
  const watcher = config.watchDir ? await loadAndWatch(rota, workspace.id, config.watchDir, io) : null;
  await rota.start();
  const webRoot = findWebRoot();
  const app = createApi(rota, { maxBodyBytes: config.maxBodyBytes, defaultWorkspace: config.defaultWorkspace, logger: rota.logger, webRoot });
  const server = await serveApi(app, { host: config.host, port: config.port }).catch(async (err: unknown) => {
    watcher?.close();
    await rota.stop({ graceMs: 0 });
    if ((err as { code?: unknown }).code !== 'EADDRINUSE') throw err;
    throw new ExitError(1, `${config.host}:${config.port} is already in use (another Rota may be running there); pick another port with --port or ROTA_PORT (0 picks a free one)`);
  });
  rota.logger.info({ node: config.nodeId, url: server.url, metrics: config.metrics.enabled ? (config.metrics.public ? 'public' : 'token') : 'off' }, 'API listening');
  io.out(`Rota listening on ${server.url}`);
  io.out(webRoot ? `web UI: ${server.url}/` : 'web UI: not built (npm run build builds it)');
  if (adminToken) {
    io.out(`admin token: ${adminToken}`);
    io.out('(shown only on first start; keep it safe)');
  }
  const signal = await nextSignal(io);
  io.out(`received ${signal}, shutting down (grace ${config.worker.shutdownGraceMs}ms)`);
  await shutdown(rota, server, watcher, config);
  io.out('stopped');
}

async function shutdown(rota: Rota, server: { close(): Promise<void> }, watcher: DefinitionWatcher | null, config: RotaConfig): Promise<void> {
  watcher?.close();
  // Open SSE streams would keep close() waiting; the engine stop must not wait on them.
  const closing = server.close().catch(() => undefined);
  await rota.stop({ graceMs: config.worker.shutdownGraceMs });
  await Promise.race([closing, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
}

/** Resolves on the first SIGTERM/SIGINT; a second one exits at once. */
function nextSignal(io: Io): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) {
        io.err(`received ${signal} again, exiting now`);
        process.exit(130);
      }
      received = true;
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
