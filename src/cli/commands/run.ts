import type { Command } from 'commander';
import { clientFor, ExitError, serverCommand, withJson, type Io, type ServerOptions } from '../context.js';
import { parseInputs } from '../inputs.js';
import { reportRun } from '../run-output.js';
import { collect } from '../options.js';

interface RunOptions extends ServerOptions {
  input: string[];
  inputsFile?: string;
  idempotencyKey?: string;
  wait?: boolean;
}

export function registerRun(program: Command, io: Io): void {
  withJson(serverCommand(program, 'run <name>', 'start a run of an automation (manual trigger)'))
    .option('-i, --input <key=value>', 'an input; the value is parsed as JSON when valid, else a string (repeatable)', collect, [])
    .option('--inputs-file <file>', 'inputs as a JSON or YAML object (--input overrides)')
    .option('--idempotency-key <key>', 'a replayed key returns the run it started the first time')
    .option('-w, --wait', 'follow the run live and exit with its outcome (0 succeeded, 1 otherwise)')
    .action(async (name: string, options: RunOptions) => {
      const inputs = parseInputs(options.input, options.inputsFile);
      const client = clientFor(io, options);
      const { run, created } = await client.automations.run(name, { inputs, idempotencyKey: options.idempotencyKey });
      if (!created && !options.json) io.err(`idempotency key seen before: this is the run it started`);
      const code = await reportRun(io, client, run, options);
      if (code !== 0) throw new ExitError(code);
    });
}
