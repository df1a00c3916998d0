import type { Command } from 'commander';
import { createClient, type RotaClient } from '../client/index.js';

export const DEFAULT_URL = 'http://127.0.0.1:7070';

/** Ends the command with an exit code (after the command printed what it had to say). */
export class ExitError extends Error {
  constructor(readonly exitCode: number, message = '') {
    super(message);
    this.name = 'ExitError';
  }
}

/** Where commands write; one per invocation of `main`. */
export interface Io {
  out(line: string): void;
  err(line: string): void;
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
}

export function processIo(): Io {
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
  };
}

export interface ServerOptions {
  url?: string;
  token?: string;
  workspace?: string;
  json?: boolean;
}

/** Adds the options every command that talks to a server takes. */
export function serverCommand(parent: Command, nameAndArgs: string, description: string): Command {
  return parent
    .command(nameAndArgs)
    .description(description)
    .option('--url <url>', `server URL (env ROTA_URL, default ${DEFAULT_URL})`)
    .option('--token <token>', 'API token (env ROTA_TOKEN)')
    .option('--workspace <name>', 'workspace, for admin tokens (env ROTA_WORKSPACE)');
}

export function withJson(command: Command): Command {
  return command.option('--json', 'print the raw API JSON');
}

export function clientFor(io: Io, options: ServerOptions): RotaClient {
  return createClient({
    url: options.url ?? io.env.ROTA_URL ?? DEFAULT_URL,
    token: options.token ?? io.env.ROTA_TOKEN,
    workspace: options.workspace ?? io.env.ROTA_WORKSPACE,
  });
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}
