import type { Command } from 'commander';
import type { TokenView } from '../../node/views.js';
import { clientFor, printJson, serverCommand, withJson, type Io, type ServerOptions } from '../context.js';
import { formatTime, table } from '../format.js';
import { collect } from '../options.js';

export function registerTokens(program: Command, io: Io): void {
  const tokens = program.command('tokens').description('API tokens (bearer rota_...)');

  // Here `--workspace` names the workspace the new token is bound to (created when missing), not the
  // acting workspace: it travels in the body only, so a workspace that does not exist yet is no 404.
  withJson(serverCommand(tokens, 'create <name>', 'create a token; prints the secret once'))
    .option('-s, --scope <scope>', 'automations:read|write, runs:read|write, approvals:write, events:write, metrics:read, admin (repeatable)', collect, [])
    .action(async (name: string, options: ServerOptions & { scope: string[] }) => {
      const workspace = options.workspace ?? io.env.ROTA_WORKSPACE;
      const client = clientFor({ ...io, env: { ...io.env, ROTA_WORKSPACE: undefined } }, { ...options, workspace: undefined });
      const created = await client.tokens.create(name, options.scope, { workspace });
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

  const workspaces = program.command('workspaces').description('workspaces (admin tokens)');
  withJson(serverCommand(workspaces, 'ls', 'list workspaces')).action(async (options: ServerOptions) => {
    const items = await clientFor(io, options).workspaces.list();
    if (options.json) return printJson(io, { items });
    io.out(table(['id', 'name'], items.map((w) => [w.id, w.name])));
  });
  withJson(serverCommand(workspaces, 'create <name>', 'create a workspace (an admin token without a workspace)')).action(async (name: string, options: ServerOptions) => {
    const created = await clientFor(io, options).workspaces.create(name);
    if (options.json) return printJson(io, created);
    io.out(`created workspace ${created.name} (id ${created.id})`);
  });

  serverCommand(tokens, 'revoke <id>', 'revoke a token').action(async (id: string, options: ServerOptions) => {
    await clientFor(io, options).tokens.revoke(id);
    io.out(`token ${id} revoked`);
  });
}

function tokenRow(t: TokenView): string[] {
  return [t.id, t.name, t.workspace === null ? '(admin)' : `${t.workspace} (${t.workspace_id})`, t.scopes.join(','), formatTime(t.created_at), formatTime(t.last_used_at), formatTime(t.revoked_at)];
}
