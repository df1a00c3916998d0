import type { Command } from 'commander';
import { serveMcpStdio } from '../../mcp/stdio.js';
import { clientFor, serverCommand, type Io, type ServerOptions } from '../context.js';

export function registerMcp(program: Command, io: Io, version: string): void {
  serverCommand(program, 'mcp', 'MCP server on stdin/stdout for agents (Claude Desktop, Claude Code, ...): the tools of the token\'s scopes, over the Rota server at ROTA_URL')
    .addHelpText('after', '\nstdout carries only MCP messages; errors go to stderr. The same tools are served over HTTP at /mcp of `rota serve`.')
    .action(async (options: ServerOptions) => {
      await serveMcpStdio(clientFor(io, options), { version });
    });
}
