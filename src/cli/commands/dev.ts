import type { Command } from 'commander';
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { ExitError, type Io } from '../context.js';
import { configFrom, withConfigOptions, type ConfigOptions } from '../config-options.js';
import { serve } from './serve.js';

interface DevOptions extends ConfigOptions {
  port?: string;
  host?: string;
  watch?: string;
}

/**
 * `rota dev`: `rota serve` for the first hour of a project, in the folder `rota init` wrote: the
 * automations folder watched (the config's `watch_dir`, else ./automations) and pretty logs.
 */
export function registerDev(program: Command, io: Io): void {
  withConfigOptions(program.command('dev').description('serve this project for development: automations/ applied and watched, pretty logs'))
    .option('--port <port>', 'listen port; 0 picks a free one (env ROTA_PORT, default 7070)')
    .option('--host <host>', 'listen address (env ROTA_HOST, default 127.0.0.1)')
    .option('--watch <dir>', 'definition folder to apply and watch (default: watch_dir of the config, else ./automations)')
    .action(async (options: DevOptions) => {
      const base = configFrom(io, options, { port: options.port, host: options.host, watchDir: options.watch, logFormat: 'pretty' });
      const watchDir = base.watchDir ?? resolve('automations');
      const config = base.watchDir ? base : configFrom(io, options, { port: options.port, host: options.host, watchDir, logFormat: 'pretty' });
      // before anything is opened or created: a folder that is not a project gets told what to do
      if (!existsSync(config.watchDir!)) {
        throw new ExitError(2, `rota dev serves a project's definitions folder, and ${config.watchDir} does not exist: run \`rota init\` here first (it writes rota.config.yaml and automations/), or point --watch at your definitions folder`);
      }
      await serve(io, config);
    });
}
