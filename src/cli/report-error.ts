import { CommanderError } from 'commander';
import { RotaApiError } from '../client/index.js';
import { exitCodeFor, RotaError } from '../errors.js';
import { ExitError, type Io } from './context.js';

/** Prints an error as `error: <message>` plus `path: message` detail lines; returns the exit code. */
export function reportError(io: Io, err: unknown): number {
  if (err instanceof ExitError) {
    if (err.message) io.err(`error: ${err.message}`);
    return err.exitCode;
  }
  if (err instanceof CommanderError) {
    // commander has printed its message already
    const ok = err.code === 'commander.helpDisplayed' || err.code === 'commander.version';
    return ok ? 0 : 2;
  }
  if (err instanceof RotaApiError || err instanceof RotaError) {
    io.err(`error: ${err.message}`);
    for (const line of detailLines(err.details)) io.err(`  ${line}`);
    const hint = err instanceof RotaApiError ? hintFor(err) : null;
    if (hint) io.err(hint);
    return exitCodeFor(err.code);
  }
  io.err(`error: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
}

/** What a CLI user does about the server's answers that speak of HTTP (headers, hosts). */
function hintFor(err: RotaApiError): string | null {
  if (err.status === 0) return 'hint: start a server with `rota serve` (or `npm start`), or point the CLI at one with --url or ROTA_URL';
  if (err.status === 401 && err.code === 'unauthenticated') {
    return 'hint: pass a token with --token or ROTA_TOKEN (`rota serve` prints the admin token on its first start; `rota tokens create` makes more)';
  }
  return null;
}

function detailLines(details: unknown): string[] {
  if (!Array.isArray(details)) return [];
  return details.map((d) => {
    if (typeof d !== 'object' || d === null) return String(d);
    const { path, message } = d as { path?: unknown; message?: unknown };
    return path ? `${String(path)}: ${String(message)}` : String(message ?? JSON.stringify(d));
  });
}
