import type { Command } from 'commander';
import { resolveConfig, type ConfigFlags } from '../config/config.js';
import type { RotaConfig } from '../config/types.js';
import type { Io } from './context.js';

export interface ConfigOptions {
  config?: string;
  dataDir?: string;
  databaseUrl?: string;
}

/** Adds the options that locate a node's configuration and database. */
export function withConfigOptions(command: Command): Command {
  return command
    .option('--config <file>', 'configuration file (env ROTA_CONFIG, default ./rota.config.yaml)')
    .option('--data-dir <dir>', 'data directory (env ROTA_DATA_DIR, default .rota)')
    .option('--database-url <url>', 'postgres://... (env ROTA_DATABASE_URL; default SQLite in the data directory)');
}

export function configFrom(io: Io, options: ConfigOptions, extra: ConfigFlags = {}): RotaConfig {
  return resolveConfig({
    flags: { dataDir: options.dataDir, databaseUrl: options.databaseUrl, ...extra },
    env: io.env,
    cwd: process.cwd(),
    file: options.config,
  });
}
