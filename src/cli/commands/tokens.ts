import type { Command } from 'commander';
import type { TokenView } from '../../node/views.js';
import { clientFor, printJson, serverCommand, withJson, type Io, type ServerOptions } from '../context.js';
import { formatTime, table } from '../format.js';
import { collect } from '../options.js';

export function registerTokens(program: Command, io: Io): void {
  const tokens = program.command('tokens').description('API tokens (bearer rota_...)');

  // `--workspace` (from serverCommand) also names the workspace the new token is bound to.
  withJson(serverCommand(tokens, 'create <name>', 'create a token; prints the secret once'))
    .option('-s, --scope <scope>', 'automations:read|write, runs:read|write, approvals:write, events:write, admin (repeatable)', collect, [])
    .action(async (name: string, options: ServerOptions & { scope: string[] }) => {
      const created = await clientFor(io, options).tokens.create(name, options.scope, { workspace: options.workspace });
      if (options.json) return printJson(io, created);
      io.out(created.token);
      io.err(`created token "${created.name ?? name}" (id ${created.id}) with scopes ${(created.scopes ?? options.scope).join(', ') || '(none)'}; it is shown only once`);
    });

  withJson(serverCommand(tokens, 'ls', 'list tokens (never their secrets)')).action(async (options: ServerOptions) => {
    const items = await clientFor(io, options).tokens.list();
    if (options.json) return printJson(io, { items });
    if (items.length === 0) return io.out('no tokens');
    io.out(table(['id', 'name', 'workspace', 'scopes', 'created', 'last used', 'revoked'], items.map(tokenRow)));
  });

  serverCommand(tokens, 'revoke <id>', 'revoke a token').action(async (id: string, options: ServerOptions) => {
    await clientFor(io, options).tokens.revoke(id);
    io.out(`token ${id} revoked`);
  });
}

function tokenRow(t: TokenView): string[] {
  return [t.id, t.name, t.workspace ?? '(admin)', t.scopes.join(','), formatTime(t.created_at), formatTime(t.last_used_at), formatTime(t.revoked_at)];
}
