/**
 * Write-only trigger secrets. A literal `verify.secret` never reaches storage in clear: at apply
 * time {@link SecretVault.seal} encrypts it (AES-256-GCM, the row id as associated data) into the
 * `secrets` table and replaces it in the definition by `{secret_ref: id}`. `{env: NAME}` secrets are
 * read from the environment when a request is verified. Nothing here logs or returns a value.
 */
import { TriggerKind } from '../states.js';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Conn } from '../store/connect.js';
import type { DB } from '../store/schema.js';
import type { Dialect } from '../store/dialect.js';
import type { Definition, SecretRef, WebhookTriggerDef } from '../definition/types.js';
import { getSecret, getTriggerSecret, insertSecret, updateSecret, type SecretRow } from '../store/secrets.js';
import { ConflictError, DefinitionError, type ErrorDetail } from '../errors.js';
import { standardSecretProblem } from './webhook-verify.js';

const KEY_FILE = 'secret.key';

/** Reads the 32-byte key: configured (hex or base64), else the data dir's key file (created 0600). */
export function loadSecretKey(opts: { secretKey: string | null; dataDir: string; dialect: Dialect }): Buffer | null {
  if (opts.secretKey) return decodeKey(opts.secretKey, 'ROTA_SECRET_KEY');
  // Several PostgreSQL nodes would each generate their own key and fail to read each other's
  // secrets: there the key must be configured (literal secrets are refused without one).
  if (opts.dialect === 'postgres') return null;
  mkdirSync(opts.dataDir, { recursive: true });
  const file = join(opts.dataDir, KEY_FILE);
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, `${randomBytes(32).toString('base64')}\n`);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return decodeKey(readFileSync(file, 'utf8').trim(), file);
}

function decodeKey(text: string, source: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) throw new Error(`${source}: expected a 32-byte key (64 hex digits or base64)`);
  return key;
}

/** `v1.<iv>.<tag>.<ciphertext>` (base64url), bound to the row id by GCM's associated data. */
export function encryptSecret(key: Buffer, id: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(id));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** Throws when the key is wrong or the text was tampered with. */
export function decryptSecret(key: Buffer, id: string, text: string): string {
  const [version, iv, tag, body] = text.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unknown secret format');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(id));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}

export interface SecretScope {
  workspaceId: string;
  now: number;
}

export function unsetEnvMessage(name: string): string {
  return `environment variable ${name} is not set on this node: every delivery is refused (401, reason secret_unset) until it is set and the node restarted`;
}

export function isSecretRef(value: SecretRef | undefined): value is { secret_ref: string } {
  return typeof value === 'object' && value !== null && 'secret_ref' in value;
}

export class SecretVault {
  /** decrypted values by `id:ciphertext`; a rotation changes the ciphertext, so entries never go stale */
  readonly #plain = new Map<string, string>();

  constructor(
    private readonly key: Buffer | null,
    private readonly ids: () => string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /**
   * Replaces every literal webhook secret of `definition` by a reference to its encrypted copy
   * (the trigger's existing row when the value is unchanged, so re-applying a file writes nothing),
   * and checks that `{secret_ref}` values belong to this automation's trigger.
   */
  /** The webhook triggers whose `{env: NAME}` secret is not set here: every delivery would be refused. */
  unsetEnvWarnings(definition: Definition): ErrorDetail[] {
    return (definition.triggers ?? []).flatMap((trigger, i) => {
      const name = trigger.type === TriggerKind.webhook ? this.unsetEnv(trigger.verify.secret) : null;
      return name === null ? [] : [{ path: `$.triggers[${i}].verify.secret.env`, message: unsetEnvMessage(name) }];
    });
  }

  /** The variable name of an `{env: NAME}` secret that is unset or empty on this node, else null. */
  unsetEnv(secret: SecretRef | undefined): string | null {
    return secret !== undefined && typeof secret === 'object' && 'env' in secret && !this.env[secret.env] ? secret.env : null;
  }

  async seal(db: Kysely<DB>, scope: SecretScope, definition: Definition): Promise<Definition> {
    const triggers = definition.triggers ?? [];
    if (!triggers.some((t) => t.type === TriggerKind.webhook && t.verify.secret !== undefined)) return definition;
    const problems: ErrorDetail[] = [];
    const sealed = structuredClone(definition);
    for (const [i, trigger] of (sealed.triggers ?? []).entries()) {
      if (trigger.type !== TriggerKind.webhook || trigger.verify.secret === undefined) continue;
      const path = `$.triggers[${i}].verify.secret`;
      const secret = trigger.verify.secret;
      if (typeof secret === 'string') {
        const problem = trigger.verify.scheme === 'standard' ? standardSecretProblem(secret) : null;
        if (problem) problems.push({ path, message: problem });
        else if (this.key === null) problems.push({ path, message: 'literal secrets need ROTA_SECRET_KEY on PostgreSQL (the same key on every node); or use {env: NAME}' });
        else {
          const stored = await db.transaction().execute((tx) => this.#store(tx, { ...scope, automation: definition.name }, trigger, secret));
          trigger.verify.secret = { secret_ref: stored };
        }
      } else if (isSecretRef(secret)) {
        const row = await getSecret(db, secret.secret_ref);
        if (!row || row.workspace_id !== scope.workspaceId || row.automation_name !== definition.name || row.trigger_id !== trigger.id) {
          problems.push({ path, message: 'unknown secret reference for this trigger; give the secret again' });
        }
      }
    }
    if (problems.length > 0) throw new DefinitionError(`invalid definition: ${problems[0]!.path}: ${problems[0]!.message}`, problems);
    return sealed;
  }

  async #store(tx: Conn, scope: SecretScope & { automation: string }, trigger: WebhookTriggerDef, value: string): Promise<string> {
    const existing = await getTriggerSecret(tx, scope.workspaceId, scope.automation, trigger.id);
    if (existing) {
      if (this.#decrypt(existing.id, existing.ciphertext) !== value) {
        // a changed literal replaces the secret at once; use the rotation endpoint for a grace period
        await updateSecret(tx, existing.id, { ciphertext: encryptSecret(this.key!, existing.id, value), previous_ciphertext: null, previous_expires_at: null, updated_at: scope.now });
      }
      return existing.id;
    }
    const id = `sec_${this.ids()}`;
    await insertSecret(tx, {
      id,
      workspace_id: scope.workspaceId,
      automation_name: scope.automation,
      trigger_id: trigger.id,
      ciphertext: encryptSecret(this.key!, id, value),
      previous_ciphertext: null,
      previous_expires_at: null,
      created_at: scope.now,
      updated_at: scope.now,
    });
    return id;
  }

  /** Replaces the trigger's secret; the previous one stays valid for `graceMs`. */
  async rotate(tx: Conn, workspaceId: string, trigger: WebhookTriggerDef, value: string, graceMs: number, now: number): Promise<{ previousValidUntil: number | null }> {
    if (!isSecretRef(trigger.verify.secret)) {
      throw new ConflictError(
        trigger.verify.secret === undefined ? `trigger "${trigger.id}" has no secret (scheme ${trigger.verify.scheme})` : `trigger "${trigger.id}" reads its secret from the environment; rotate the variable instead`,
      );
    }
    const problem = trigger.verify.scheme === 'standard' ? standardSecretProblem(value) : null;
    if (problem) throw new ConflictError(problem);
    const row = await getSecret(tx, trigger.verify.secret.secret_ref);
    if (!row || row.workspace_id !== workspaceId || this.key === null) throw new ConflictError(`trigger "${trigger.id}" has no stored secret`);
    const until = graceMs > 0 ? now + graceMs : null;
    await updateSecret(tx, row.id, {
      ciphertext: encryptSecret(this.key, row.id, value),
      previous_ciphertext: until === null ? null : row.ciphertext,
      previous_expires_at: until,
      updated_at: now,
    });
    return { previousValidUntil: until };
  }

  /** The values a request may be signed with now: current first, then the previous one in its grace period. */
  candidates(secret: SecretRef | undefined, row: Pick<SecretRow, 'id' | 'ciphertext' | 'previous_ciphertext' | 'previous_expires_at'> | null, now: number): string[] {
    if (secret === undefined) return [];
    if (typeof secret === 'string') return [secret];
    if ('env' in secret) {
      const value = this.env[secret.env];
      return value ? [value] : [];
    }
    if (!row) return [];
    const out: string[] = [];
    const current = this.#decrypt(row.id, row.ciphertext);
    if (current !== null) out.push(current);
    if (row.previous_ciphertext && row.previous_expires_at !== null && Number(row.previous_expires_at) > now) {
      const previous = this.#decrypt(row.id, row.previous_ciphertext);
      if (previous !== null) out.push(previous);
    }
    return out;
  }

  #decrypt(id: string, ciphertext: string): string | null {
    const cacheKey = `${id}:${ciphertext}`;
    const hit = this.#plain.get(cacheKey);
    if (hit !== undefined) return hit;
    if (this.key === null) return null;
    let value: string;
    try {
      value = decryptSecret(this.key, id, ciphertext);
    } catch {
      return null;
    }
    if (this.#plain.size > 10_000) this.#plain.clear();
    this.#plain.set(cacheKey, value);
    return value;
  }
}
