/**
 * Workspace secrets for actions: `{{ secrets.NAME }}` in the secret-capable fields of a step
 * (ActionDefinition.secretFields). Values are write-only: sealed with the webhook secrets' key
 * (triggers/secrets.ts, AES-256-GCM bound to the row id), never returned, and read only by the run
 * core when a step that uses them starts (EngineHooks.secrets), so a changed value takes effect on
 * the next step.
 */
import type { EngineContext } from '../engine/context.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import {
  deleteWorkspaceSecret,
  getWorkspaceSecret,
  getWorkspaceSecrets,
  insertWorkspaceSecret,
  listWorkspaceSecrets,
  touchWorkspaceSecrets,
  updateWorkspaceSecretValue,
  type WorkspaceSecretRow,
} from '../store/workspace-secrets.js';
import { iso } from '../time.js';
import { decryptSecret, encryptSecret } from '../triggers/secrets.js';
import type { SecretView } from './views.js';

export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
export const MAX_SECRET_BYTES = 64 * 1024;


function toView(row: WorkspaceSecretRow): SecretView {
  return { name: row.name, created_at: iso(row.created_at), updated_at: iso(row.updated_at), last_used_at: iso(row.last_used_at) };
}

export class SecretsService {
  constructor(
    private readonly ctx: EngineContext,
    private readonly key: Buffer | null,
  ) {}

  /** Creates or replaces a secret; `created` tells which. */
  async set(workspaceId: string, name: string, value: string): Promise<{ created: boolean; secret: SecretView }> {
    checkName(name);
    if (typeof value !== 'string' || value.length === 0) throw new ValidationError('value must be a non-empty string', [{ path: '$.value', message: 'give the secret as a non-empty string' }]);
    if (Buffer.byteLength(value) > MAX_SECRET_BYTES) throw new ValidationError(`value is larger than ${MAX_SECRET_BYTES} bytes`, [{ path: '$.value', message: `at most ${MAX_SECRET_BYTES} bytes` }]);
    if (this.key === null) throw new ConflictError('workspace secrets need ROTA_SECRET_KEY on PostgreSQL (the same key on every node)');
    const key = this.key;
    const now = this.ctx.clock.now();
    return this.ctx.store.db.transaction().execute(async (tx) => {
      const existing = await getWorkspaceSecret(tx, workspaceId, name);
      if (existing) {
        await updateWorkspaceSecretValue(tx, existing.id, encryptSecret(key, existing.id, value), now);
        return { created: false, secret: toView({ ...existing, updated_at: now }) };
      }
      const id = `wsec_${this.ctx.ids()}`;
      const row: WorkspaceSecretRow = { id, workspace_id: workspaceId, name, ciphertext: encryptSecret(key, id, value), created_at: now, updated_at: now, last_used_at: null };
      await insertWorkspaceSecret(tx, row);
      return { created: true, secret: toView(row) };
    });
  }

  async list(workspaceId: string): Promise<SecretView[]> {
    return (await listWorkspaceSecrets(this.ctx.store.db, workspaceId)).map(toView);
  }

  /** Names of the workspace's secrets (for apply-time warnings about unknown names). */
  async names(workspaceId: string): Promise<Set<string>> {
    return new Set((await listWorkspaceSecrets(this.ctx.store.db, workspaceId)).map((row) => row.name));
  }

  async remove(workspaceId: string, name: string): Promise<void> {
    checkName(name);
    if (!(await deleteWorkspaceSecret(this.ctx.store.db, workspaceId, name))) throw new NotFoundError(`secret "${name}" not found; \`rota secrets ls\` lists the workspace's secrets`);
  }

  /**
   * The values of `names` that are set (a missing one is absent from the map), read fresh from
   * the store for every step; marks them used.
   */
  async resolve(workspaceId: string, names: string[]): Promise<Map<string, string>> {
    const rows = await getWorkspaceSecrets(this.ctx.store.db, workspaceId, names);
    const values = new Map<string, string>();
    if (this.key === null) return values;
    for (const row of rows) values.set(row.name, decryptSecret(this.key, row.id, row.ciphertext));
    await touchWorkspaceSecrets(this.ctx.store.db, rows.map((row) => row.id), this.ctx.clock.now());
    return values;
  }
}

function checkName(name: string): void {
  if (!SECRET_NAME_PATTERN.test(name)) {
    throw new ValidationError(`invalid secret name "${name.slice(0, 140)}"`, [{ path: '$.name', message: 'a secret name is a letter or _ followed by up to 127 letters, digits or _ (like an environment variable)' }]);
  }
}
