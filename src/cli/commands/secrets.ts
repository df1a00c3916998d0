import type { Command } from 'commander';
import type { SecretView } from '../../node/views.js';
import { clientFor, ExitError, printJson, serverCommand, withJson, type Io, type ServerOptions } from '../context.js';
import { formatTime, table } from '../format.js';

export function registerSecrets(program: Command, io: Io): void {
  const secrets = program.command('secrets').description('workspace secrets for {{ secrets.NAME }} in actions (values are write-only)');

  serverCommand(secrets, 'set <name>', 'set a secret from stdin (one trailing newline is dropped) or from --from-env')
    .option('--from-env <var>', 'read the value from this environment variable instead of stdin')
    .action(async (name: string, options: ServerOptions & { fromEnv?: string }) => {
      const value = options.fromEnv === undefined ? await readStdin() : io.env[options.fromEnv];
      if (value === undefined || value === '') {
        const from = options.fromEnv === undefined ? 'stdin was empty' : `environment variable ${options.fromEnv} is not set or empty`;
        throw new ExitError(2, `no value: ${from} (pipe the value in, e.g. \`printf %s "$TOKEN" | rota secrets set ${name}\`, or use --from-env VAR)`);
      }
      const { created } = await clientFor(io, options).secrets.set(name, value);
      io.out(`secret ${name} ${created ? 'created' : 'updated'}`);
    });

  withJson(serverCommand(secrets, 'ls', 'list secrets (names and times, never values)')).action(async (options: ServerOptions) => {
    const items = await clientFor(io, options).secrets.list();
    if (options.json) return printJson(io, { items });
    if (items.length === 0) return io.out('no secrets');
    io.out(table(['name', 'created', 'updated', 'last used'], items.map(secretRow)));
  });

  serverCommand(secrets, 'rm <name>', 'delete a secret').action(async (name: string, options: ServerOptions) => {
    await clientFor(io, options).secrets.remove(name);
    io.out(`secret ${name} deleted`);
  });
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('type the value, then Ctrl-D\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function secretRow(s: SecretView): string[] {
  return [s.name, formatTime(s.created_at), formatTime(s.updated_at), formatTime(s.last_used_at)];
}
