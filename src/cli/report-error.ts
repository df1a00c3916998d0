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
    return exitCodeFor(err.code);
  }
  io.err(`error: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
}

function detailLines(details: unknown): string[] {
  if (!Array.isArray(details)) return [];
  return details.map((d) => {
    if (typeof d !== 'object' || d === null) return String(d);
    const { path, message } = d as { path?: unknown; message?: unknown };
    return path ? `${String(path)}: ${String(message)}` : String(message ?? JSON.stringify(d));
  });
}
