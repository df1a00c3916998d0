/**
 * The `rota` command line. `main` returns the exit code instead of exiting, so that it can be
 * driven in-process; `bin/rota.js` exits with it. Exit codes are documented in docs/cli.md.
 */
import { Command } from 'commander';
import { processIo, type Io } from './context.js';
import { reportError } from './report-error.js';
import { registerApply } from './commands/apply.js';
import { registerApprovals } from './commands/approvals.js';
import { registerAutomations } from './commands/automations.js';
import { registerDb } from './commands/db.js';
import { registerDoctor } from './commands/doctor.js';
import { registerEvents } from './commands/events.js';
import { registerRun } from './commands/run.js';
import { registerRuns } from './commands/runs.js';
import { registerSaveRun } from './commands/save-run.js';
import { registerSchedule } from './commands/schedule.js';
import { registerServe } from './commands/serve.js';
import { registerDev } from './commands/dev.js';
import { registerInit } from './commands/init.js';
import { registerTokens } from './commands/tokens.js';
import { registerSecrets } from './commands/secrets.js';
import { registerWebhooks } from './commands/webhooks.js';
import { registerMcp } from './commands/mcp.js';

export const VERSION = '0.1.0';

export function buildProgram(io: Io): Command {
  const program = new Command('rota')
    .description('Rota: durable automations (schedules, webhooks, events, retries, approvals, history)')
    .version(VERSION)
    .enablePositionalOptions()
    .exitOverride()
    .showSuggestionAfterError()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  registerInit(program, io);
  registerServe(program, io);
  registerDev(program, io);
  registerApply(program, io);
  registerAutomations(program, io);
  registerRun(program, io);
  registerRuns(program, io);
  registerSaveRun(program, io);
  registerSchedule(program, io);
  registerEvents(program, io);
  registerApprovals(program, io);
  registerTokens(program, io);
  registerSecrets(program, io);
  registerWebhooks(program, io);
  registerDb(program, io);
  registerDoctor(program, io);
  registerMcp(program, io, VERSION);
  program.commands.forEach(inheritExitOverride);
  return program;
}

function inheritExitOverride(command: Command): void {
  command.exitOverride();
  command.commands.forEach(inheritExitOverride);
}

/** Runs the CLI with `argv` (the arguments after `rota`) and resolves with the exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    return reportError(io, err);
  }
}
