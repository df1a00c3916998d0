/**
 * Bearer authentication and scope checks. Every `/api/v1` request resolves a principal and the one
 * workspace it acts in; handlers pass that workspace id to the service, which is what makes another
 * workspace's resources indistinguishable from missing ones.
 */
import type { MiddlewareHandler } from 'hono';
import { AuthError, ErrorCode, NotFoundError } from '../errors.js';
import type { RotaService } from '../node/service.js';
import { Scope } from '../states.js';
import type { Principal } from '../node/views.js';
import type { ApiEnv } from './api-env.js';

const BEARER = /^Bearer\s+(rota_[A-Za-z0-9_-]{1,200})\s*$/i;
export const WORKSPACE_HEADER = 'X-Rota-Workspace';

export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.scopes.includes(Scope.admin) || principal.scopes.includes(scope);
}

export function isGlobalAdmin(principal: Principal): boolean {
  return principal.workspace_id === null && principal.scopes.includes(Scope.admin);
}

export function authenticate(rota: RotaService, defaultWorkspace: string): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const match = BEARER.exec(c.req.header('authorization') ?? '');
    if (!match) throw new AuthError(ErrorCode.unauthenticated, 'missing or malformed Authorization header; send "Bearer rota_..."');
    const principal = await rota.tokens.authenticate(match[1]);
    if (principal === null) throw new AuthError(ErrorCode.unauthenticated, 'unknown or revoked token');
    c.set('principal', principal);
    c.set('workspaceId', await actingWorkspace(rota, principal, c.req.header(WORKSPACE_HEADER), defaultWorkspace));
    await next();
  };
}

async function actingWorkspace(rota: RotaService, principal: Principal, requested: string | undefined, defaultWorkspace: string): Promise<string> {
  const named = requested?.trim() || undefined;
  if (principal.workspace_id !== null) {
    if (named === undefined) return principal.workspace_id;
    // answered the same whether or not the named workspace exists: no enumeration
    const own = await rota.workspaces.get(principal.workspace_id);
    if (own !== null && (named === own.name || named === own.id)) return own.id;
    throw new AuthError(ErrorCode.forbidden, `this token is bound to its own workspace; drop the ${WORKSPACE_HEADER} header`);
  }
  if (!principal.scopes.includes(Scope.admin)) throw new AuthError(ErrorCode.forbidden, 'a token without a workspace needs the admin scope');
  const name = named ?? defaultWorkspace;
  const found = await rota.workspaces.get(name);
  if (found !== null) return found.id;
  if (name === defaultWorkspace) return (await rota.workspaces.ensure(name)).id;
  throw new NotFoundError(`workspace "${name.slice(0, 100)}" not found`);
}

/** Route middleware: 403 unless the principal holds `scope` (or `admin`). */
export function requireScope(scope: Scope): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (!hasScope(c.var.principal, scope)) throw new AuthError(ErrorCode.forbidden, `this token lacks the "${scope}" scope`);
    await next();
  };
}
