/** Workspaces and bearer tokens. Tokens are stored as SHA-256 hashes; the secret is shown once. */
import type { EngineContext } from '../engine/context.js';
import { findWorkspace, insertWorkspace, listWorkspaces } from '../store/automations.js';
import { findTokenByHash, getMeta, insertToken, listTokens, revokeToken, setMetaOnce, touchToken } from '../store/tokens.js';
import { randomToken } from '../ids.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { ALL_SCOPES, Scope } from '../states.js';
import { tokenView } from './convert.js';
import type { Principal, TokenView, Workspace } from './views.js';
import { sha256Hex } from '../hash.js';

const WORKSPACE_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

function checkWorkspaceName(name: string): void {
  if (!WORKSPACE_PATTERN.test(name)) {
    throw new ValidationError(`invalid workspace name "${name}"`, [{ path: '$.name', message: 'must match [a-z0-9][a-z0-9-]{0,62} (lowercase letters, digits, dashes)' }]);
  }
}

export class AccessService {
  /** last_used_at is written at most once a minute per token: auth stays read-only on hot paths. */
  readonly #touched = new Map<string, number>();

  constructor(private readonly ctx: EngineContext) {}

  async ensureWorkspace(name: string): Promise<Workspace> {
    checkWorkspaceName(name);
    const { db } = this.ctx.store;
    const found = await findWorkspace(db, name);
    if (found) return { id: found.id, name: found.name };
    await insertWorkspace(db, { id: this.ctx.ids(), name, created_at: this.ctx.clock.now() });
    const row = await findWorkspace(db, name);
    return { id: row!.id, name: row!.name };
  }

  /** A new workspace; ConflictError when the name is taken. */
  async createWorkspace(name: string): Promise<Workspace> {
    checkWorkspaceName(name);
    const { db } = this.ctx.store;
    const taken = () => new ConflictError(`workspace "${name}" already exists`);
    if (await findWorkspace(db, name)) throw taken();
    try {
      await insertWorkspace(db, { id: this.ctx.ids(), name, created_at: this.ctx.clock.now() });
    } catch (err) {
      // a concurrent create won the unique name
      if (await findWorkspace(db, name)) throw taken();
      throw err;
    }
    const row = await findWorkspace(db, name);
    return { id: row!.id, name: row!.name };
  }

  async getWorkspace(nameOrId: string): Promise<Workspace | null> {
    const row = await findWorkspace(this.ctx.store.db, nameOrId);
    return row ? { id: row.id, name: row.name } : null;
  }

  async listWorkspaces(): Promise<Workspace[]> {
    return (await listWorkspaces(this.ctx.store.db)).map((r) => ({ id: r.id, name: r.name }));
  }

  async createToken(workspaceId: string | null, name: string, scopes: string[], secret?: string): Promise<{ token: string; info: TokenView }> {
    const bad = scopes.filter((s) => !(ALL_SCOPES as string[]).includes(s));
    if (bad.length > 0 || scopes.length === 0) {
      throw new ValidationError(`invalid scopes: ${bad.join(', ') || '(none given)'}`, [{ path: 'scopes', message: `each scope must be one of ${ALL_SCOPES.join(', ')}` }]);
    }
    if (workspaceId === null && !scopes.includes(Scope.admin)) throw new ValidationError('a token without a workspace must have the admin scope');
    const token = secret ?? `rota_${randomToken(30)}`;
    const row = {
      id: this.ctx.ids(),
      workspace_id: workspaceId,
      name,
      hash: sha256Hex(token),
      scopes: JSON.stringify(scopes),
      created_at: this.ctx.clock.now(),
      last_used_at: null,
      revoked_at: null,
    };
    await insertToken(this.ctx.store.db, row);
    return { token, info: tokenView(row, await this.#workspaceName(workspaceId)) };
  }

  async listTokens(workspaceId: string | null): Promise<TokenView[]> {
    const rows = await listTokens(this.ctx.store.db, workspaceId);
    return Promise.all(rows.map(async (r) => tokenView(r, await this.#workspaceName(r.workspace_id))));
  }

  async revoke(workspaceId: string | null, tokenId: string): Promise<void> {
    if (!(await revokeToken(this.ctx.store.db, tokenId, workspaceId, this.ctx.clock.now()))) throw new NotFoundError(`token "${tokenId}" not found`);
  }

  async authenticate(token: string): Promise<Principal | null> {
    if (!token.startsWith('rota_') || token.length > 200) return null;
    const row = await findTokenByHash(this.ctx.store.db, sha256Hex(token));
    if (!row || row.revoked_at !== null) return null;
    const now = this.ctx.clock.now();
    if ((this.#touched.get(row.id) ?? 0) < now - 60_000) {
      this.#touched.set(row.id, now);
      await touchToken(this.ctx.store.db, row.id, now);
    }
    return { token_id: row.id, workspace_id: row.workspace_id, scopes: JSON.parse(row.scopes) };
  }

  /**
   * First start: creates the default workspace and an admin token, returned once. With
   * `ROTA_ADMIN_TOKEN` configured, that token is accepted (registered if new) and never printed.
   */
  async bootstrap(): Promise<{ adminToken: string | null; workspace: Workspace }> {
    const workspace = await this.ensureWorkspace(this.ctx.config.defaultWorkspace);
    const configured = this.ctx.config.adminToken;
    if (configured) {
      if (!configured.startsWith('rota_')) throw new ValidationError('ROTA_ADMIN_TOKEN must start with "rota_"');
      if (!(await findTokenByHash(this.ctx.store.db, sha256Hex(configured)))) await this.createToken(null, 'admin (configured)', [Scope.admin], configured);
      await setMetaOnce(this.ctx.store.db, 'admin_token_created', 'configured');
      return { adminToken: null, workspace };
    }
    if (await getMeta(this.ctx.store.db, 'admin_token_created')) return { adminToken: null, workspace };
    if (!(await setMetaOnce(this.ctx.store.db, 'admin_token_created', new Date(this.ctx.clock.now()).toISOString()))) return { adminToken: null, workspace };
    const { token } = await this.createToken(null, 'admin', [Scope.admin]);
    return { adminToken: token, workspace };
  }

  async #workspaceName(id: string | null): Promise<string | null> {
    if (id === null) return null;
    return (await findWorkspace(this.ctx.store.db, id))?.name ?? id;
  }
}
